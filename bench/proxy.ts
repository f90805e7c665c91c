/**
 * kube-proxy sync cost, in a scratch network namespace (created and deleted here; the host's
 * ruleset is never touched). For N Services with 2 endpoints each it times:
 *   - a full sync by the Proxier (render + one `nft -f` full atomic replace) into an empty netns,
 *   - the same again with the table present (the steady-state full replace),
 *   - a one-Service change among N (what a real sync after an endpoint change costs),
 *   - a one-Service change among N as a partial sync (only that Service's chains and elements),
 *   - a hand-written `nft -f` file of the same size (one chain per service, numgen to two
 *     endpoint chains, a verdict map; no reject/affinity/masquerade extras) applied the same way,
 *   - the iptables equivalent (kube-proxy iptables mode's layout: KUBE-SERVICES → KUBE-SVC-* with
 *     statistic random → KUBE-SEP-* mark + DNAT) applied with one `iptables-restore` (nft backend).
 *   - the hand-written file again with one `numgen … == 0 goto` rule per endpoint instead of the
 *     anonymous `numgen … vmap {…}` (the shape our proxier wrote in session 3; since session 4 a
 *     common Service is only map elements and shared pick chains, see src/proxy/README.md).
 * Wall times are medians of --runs runs; on a shared machine the CPU time (user+sys) of our process
 * and of the `nft` child (via /usr/bin/time) is reported beside them. The script runs itself again
 * inside the scratch netns, so nft is spawned directly as on a host (no `ip netns exec` per
 * command), and the small transactions are timed once more without /usr/bin/time. Needs root.
 * Usage: node bench/proxy.ts [--services 1000,5000] [--runs 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HostCommands } from '../src/proxy/nft.ts';
import { Proxier } from '../src/proxy/proxier.ts';
import type { RunReason } from '../src/proxy/runner.ts';
import type { EndpointSlice, Service } from '../src/proxy/types.ts';

const { values } = parseArgs({ options: { services: { type: 'string', default: '1000,5000' }, runs: { type: 'string', default: '3' }, inside: { type: 'boolean', default: false } } });
const sizes = (values.services ?? '1000,5000').split(',').map(Number);
const runs = Number(values.runs ?? '3');
const netns = `k8ts-proxybench-${Math.random().toString(36).slice(2, 8)}`;

const ip = (base: number, i: number): string => `${base}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

function fixtures(n: number, generation = 0): { services: Service[]; slices: EndpointSlice[] } {
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    services.push({ metadata: { name, namespace: 'bench' }, spec: { clusterIP: ip(10, 0x600000 + i), ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
    // generation > 0 moves the first service's endpoints: the "one service changed" case.
    const shift = i === 0 ? generation * 2 : 0;
    slices.push({
      metadata: { name: `${name}-1`, namespace: 'bench', labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: [ip(172, 0x100000 + 2 * i + shift)] }, { addresses: [ip(172, 0x100000 + 2 * i + 1 + shift)] }],
    });
  }
  return { services, slices };
}

/** Runs every command under /usr/bin/time while `timed`, keeping the CPU seconds (user+sys) of the last one. */
class TimedCommands extends HostCommands {
  private readonly dir = mkdtempSync(join(tmpdir(), 'k8ts-proxybench-'));
  lastCpuMs = 0;
  /** Off: commands run bare, as the proxy runs them on its host (for wall times of small transactions). */
  timed = true;
  override async run(cmd: string[], stdin = ''): Promise<string> {
    if (!this.timed) {
      return super.run(cmd, stdin);
    }
    const file = join(this.dir, 'time');
    const out = await super.run(['/usr/bin/time', '-f', '%U %S', '-o', file, ...cmd], stdin);
    const [user = 0, sys = 0] = readFileSync(file, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
    this.lastCpuMs = (user + sys) * 1000;
    return out;
  }
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The hand-written comparison: the minimal ruleset that load-balances the same Services. */
function handWritten(n: number, numgenRules = false): string {
  const table = numgenRules ? 'bench-hand2' : 'bench-hand';
  const out = [`add table ip ${table}`, `delete table ip ${table}`, `table ip ${table} {`];
  const elems: string[] = [];
  const chains: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = ip(172, 0x100000 + 2 * i);
    const b = ip(172, 0x100000 + 2 * i + 1);
    elems.push(`${ip(10, 0x600000 + i)} . tcp . 80 : goto svc-${i}`);
    chains.push(numgenRules ? `\tchain svc-${i} {\n\t\tnumgen random mod 2 == 0 goto ep-${i}-a\n\t\tgoto ep-${i}-b\n\t}` : `\tchain svc-${i} {\n\t\tnumgen random mod 2 vmap { 0 : goto ep-${i}-a, 1 : goto ep-${i}-b }\n\t}`);
    chains.push(`\tchain ep-${i}-a {\n\t\tip saddr ${a} meta mark set meta mark or 0x4000\n\t\tmeta l4proto tcp dnat to ${a}:8080\n\t}`);
    chains.push(`\tchain ep-${i}-b {\n\t\tip saddr ${b} meta mark set meta mark or 0x4000\n\t\tmeta l4proto tcp dnat to ${b}:8080\n\t}`);
  }
  out.push(`\tmap service-ips {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n\t\telements = {\n\t\t\t${elems.join(',\n\t\t\t')}\n\t\t}\n\t}`);
  out.push('\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tip daddr . meta l4proto . th dport vmap @service-ips\n\t}');
  out.push(...chains, '}', '');
  return out.join('\n');
}

/** The same Services as kube-proxy's iptables mode would write them, for one `iptables-restore`. */
function iptablesRestore(n: number): string {
  const decl: string[] = [':KUBE-SERVICES - [0:0]'];
  const rules: string[] = ['-A PREROUTING -j KUBE-SERVICES', '-A OUTPUT -j KUBE-SERVICES'];
  for (let i = 0; i < n; i++) {
    const eps = [ip(172, 0x100000 + 2 * i), ip(172, 0x100000 + 2 * i + 1)];
    decl.push(`:KUBE-SVC-${i} - [0:0]`, `:KUBE-SEP-${i}-0 - [0:0]`, `:KUBE-SEP-${i}-1 - [0:0]`);
    rules.push(`-A KUBE-SERVICES -d ${ip(10, 0x600000 + i)}/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-${i}`);
    rules.push(`-A KUBE-SVC-${i} -m statistic --mode random --probability 0.5 -j KUBE-SEP-${i}-0`, `-A KUBE-SVC-${i} -j KUBE-SEP-${i}-1`);
    eps.forEach((a, k) => rules.push(`-A KUBE-SEP-${i}-${k} -s ${a}/32 -j MARK --set-xmark 0x4000/0x4000`, `-A KUBE-SEP-${i}-${k} -p tcp -m tcp -j DNAT --to-destination ${a}:8080`));
  }
  return ['*nat', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...decl, ...rules, 'COMMIT', ''].join('\n');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;
/** "wall / cpu" of one measurement, both medians. */
const pair = (wall: number[], cpu: number[]): string => `${fmt(median(wall))} / ${fmt(median(cpu))}`;
const load = (): string => loadavg()[0]?.toFixed(1) ?? '?';

/** Wall time and this process's CPU time (user+sys) of `fn`. */
async function time(fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

/** Creates the scratch netns and runs this script again inside it, so nft is spawned as a proxy on its host spawns it. */
function outer(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('bench/proxy.ts needs root (it creates a network namespace)');
  }
  execFileSync('ip', ['netns', 'add', netns]);
  try {
    execFileSync('ip', ['netns', 'exec', netns, process.execPath, ...process.execArgv, process.argv[1] ?? '', ...process.argv.slice(2), '--inside'], { stdio: 'inherit' });
  } finally {
    execFileSync('ip', ['netns', 'del', netns]);
  }
}

async function main(): Promise<void> {
  const cmds = new TimedCommands();
  try {
    const rows: string[][] = [[
      'services', 'load', 'full sync, empty (wall / nft cpu)', 'full sync, replace (wall / nft cpu)', 'render (wall / js cpu)',
      'one service changed (wall median / min)', 'partial: js (wall / cpu)', 'partial: nft (wall / cpu)', 'nft floor: no fetch / with cache fetch (wall / cpu; min wall)', 'hand-written vmap (wall / nft cpu)', 'hand-written numgen rules (wall / nft cpu)', 'iptables-restore (wall / cpu)', 'lines ours / hand',
    ]];
    for (const n of sizes) {
      const loadAtStart = load();
      let current = fixtures(n);
      let last = { renderMs: 0, applyMs: 0 };
      const proxier = new Proxier({
        hostname: 'bench-node',
        clusterCIDR: '172.16.0.0/12',
        nodePortAddresses: [],
        syncPeriodMs: 3_600_000,
        minSyncPeriodMs: 0,
        commands: cmds,
        services: () => current.services,
        slices: () => current.slices,
        onSync: (r) => {
          last = { renderMs: r.renderMs, applyMs: r.applyMs };
        },
      });
      const sync = (reason: RunReason): Promise<void> => proxier.sync(reason);
      const m = { empty: [] as number[], emptyCpu: [] as number[], replace: [] as number[], replaceCpu: [] as number[], render: [] as number[], renderCpu: [] as number[] };
      const p = { wall: [] as number[], js: [] as number[], jsCpu: [] as number[], nft: [] as number[], nftCpu: [] as number[] };
      const floor = { spawn: [] as number[], spawnCpu: [] as number[], fetch: [] as number[], fetchCpu: [] as number[] };
      for (let r = 0; r < runs; r++) {
        await cmds.nftApply('add table ip k8ts-proxy\ndelete table ip k8ts-proxy\n');
        current = fixtures(n);
        const e = await time(() => sync('periodic'));
        m.empty.push(e.wall);
        m.emptyCpu.push(cmds.lastCpuMs);
        const f = await time(() => sync('periodic'));
        m.replace.push(f.wall);
        m.replaceCpu.push(cmds.lastCpuMs);
        m.render.push(last.renderMs);
        m.renderCpu.push(f.cpu);
        // Like an informer cache: only the changed slice is a new object, the rest stay the same objects.
        // Five changes under /usr/bin/time give nft's CPU time; five bare ones the wall times.
        for (let k = 1; k <= 10; k++) {
          cmds.timed = k <= 5;
          const moved = fixtures(1, r * 10 + k).slices[0];
          current = { services: current.services, slices: moved === undefined ? current.slices : [moved, ...current.slices.slice(1)] };
          const c = await time(() => sync('requested'));
          if (cmds.timed) {
            p.nftCpu.push(cmds.lastCpuMs);
          } else {
            p.wall.push(c.wall);
            p.js.push(last.renderMs);
            p.jsCpu.push(c.cpu);
            p.nft.push(last.applyMs);
          }
        }
        // The floor under a partial sync: one spawned nft that fetches nothing from the kernel
        // (`add table` of an existing table) vs one that must (any element or rule command makes
        // nft 1.0.6 list every table's chains and sets first).
        for (let k = 0; k < 10; k++) {
          cmds.timed = k < 5;
          const spawn = await time(() => cmds.nftApply('add table ip k8ts-proxy\n'));
          const spawnCpu = cmds.lastCpuMs;
          const fetch = await time(() => cmds.nftApply('add element ip k8ts-proxy cluster-ips { 10.255.255.254 }\n'));
          if (cmds.timed) {
            floor.spawnCpu.push(spawnCpu);
            floor.fetchCpu.push(cmds.lastCpuMs);
          } else {
            floor.spawn.push(spawn.wall);
            floor.fetch.push(fetch.wall);
          }
        }
        cmds.timed = true;
        await cmds.nftApply('delete element ip k8ts-proxy cluster-ips { 10.255.255.254 }\n');
      }
      const hands = [handWritten(n), handWritten(n, true)];
      const hand = hands.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
      for (let r = 0; r < runs; r++) {
        for (const [i, text] of hands.entries()) {
          hand[i]?.wall.push((await time(() => cmds.nftApply(text))).wall);
          hand[i]?.cpu.push(cmds.lastCpuMs);
        }
      }
      const iptText = iptablesRestore(n);
      const ipt = { wall: [] as number[], cpu: [] as number[] };
      for (let r = 0; r < runs; r++) {
        ipt.wall.push((await time(async () => {
          await cmds.run(['iptables-restore'], iptText);
        })).wall);
        ipt.cpu.push(cmds.lastCpuMs);
      }
      await cmds.nftApply('add table ip bench-hand\ndelete table ip bench-hand\nadd table ip bench-hand2\ndelete table ip bench-hand2\nadd table ip k8ts-proxy\ndelete table ip k8ts-proxy\n');
      await cmds.run(['iptables', '-t', 'nat', '-F']);
      await cmds.run(['iptables', '-t', 'nat', '-X']);
      const { renderRuleset } = await import('../src/proxy/render.ts');
      const lines = renderRuleset(current.services, current.slices, { hostname: 'bench-node', clusterCIDR: '172.16.0.0/12' }).text.split('\n').length;
      rows.push([
        String(n), `${loadAtStart}→${load()}`, pair(m.empty, m.emptyCpu), pair(m.replace, m.replaceCpu), pair(m.render, m.renderCpu),
        `${fmt(median(p.wall))} / ${fmt(Math.min(...p.wall))}`, pair(p.js, p.jsCpu), pair(p.nft, p.nftCpu), `${pair(floor.spawn, floor.spawnCpu)}; ${pair(floor.fetch, floor.fetchCpu)}; min ${fmt(Math.min(...floor.spawn))} / ${fmt(Math.min(...floor.fetch))}`, pair(hand[0]?.wall ?? [], hand[0]?.cpu ?? []), pair(hand[1]?.wall ?? [], hand[1]?.cpu ?? []), pair(ipt.wall, ipt.cpu), `${lines} / ${hands[0]?.split('\n').length ?? 0}`,
      ]);
      await proxier.stop();
    }
    for (const row of rows) {
      process.stdout.write(`| ${row.join(' | ')} |\n`);
    }
    process.stdout.write(`(medians of ${runs} runs, 5 + 5 partial changes each (min: the fastest, the closest a loaded machine gets to a quiet one); load = 1-minute load average before→after; the bench runs inside its scratch netns and spawns \`nft -f -\` directly, as the proxy on a host; nft cpu = user+sys of that child under /usr/bin/time, js cpu = this process; the one-service-change, partial and floor wall times come from the bare runs, without /usr/bin/time)\n`);
  } finally {
    cmds.close();
  }
}

if (values.inside === true) {
  await main();
} else {
  outer();
}
