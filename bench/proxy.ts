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
 * Reports medians of --runs runs. Needs root.
 * Usage: node bench/proxy.ts [--services 1000,5000] [--runs 3]
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { HostCommands } from '../src/proxy/nft.ts';
import { Proxier } from '../src/proxy/proxier.ts';
import type { RunReason } from '../src/proxy/runner.ts';
import type { EndpointSlice, Service } from '../src/proxy/types.ts';

const { values } = parseArgs({ options: { services: { type: 'string', default: '1000,5000' }, runs: { type: 'string', default: '3' } } });
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

/** The hand-written comparison: the minimal ruleset that load-balances the same Services. */
function handWritten(n: number): string {
  const out = ['add table ip bench-hand', 'delete table ip bench-hand', 'table ip bench-hand {'];
  const elems: string[] = [];
  const chains: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = ip(172, 0x100000 + 2 * i);
    const b = ip(172, 0x100000 + 2 * i + 1);
    elems.push(`${ip(10, 0x600000 + i)} . tcp . 80 : goto svc-${i}`);
    chains.push(`\tchain svc-${i} {\n\t\tnumgen random mod 2 vmap { 0 : goto ep-${i}-a, 1 : goto ep-${i}-b }\n\t}`);
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

async function time(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error('bench/proxy.ts needs root (it creates a network namespace)');
  }
  execFileSync('ip', ['netns', 'add', netns]);
  const cmds = new HostCommands(netns);
  try {
    const rows: string[][] = [['services', 'proxier full sync (empty)', 'proxier full sync (replace)', '  of which render', 'one service changed (partial)', '  render / nft', 'hand-written nft -f (replace)', 'iptables-restore', 'lines ours / hand']];
    for (const n of sizes) {
      let current = fixtures(n);
      let lastRender = 0;
      let lastApply = 0;
      let lastLines = 0;
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
          lastRender = r.renderMs;
          lastApply = r.applyMs;
        },
      });
      const sync = (reason: RunReason): Promise<void> => proxier.sync(reason);
      const empty: number[] = [];
      const replace: number[] = [];
      const renders: number[] = [];
      const change: number[] = [];
      const changeSplit: string[] = [];
      const hand: number[] = [];
      const ipt: number[] = [];
      for (let r = 0; r < runs; r++) {
        await cmds.nftApply('add table ip k8ts-proxy\ndelete table ip k8ts-proxy\n');
        current = fixtures(n);
        empty.push(await time(() => sync('periodic')));
        replace.push(await time(() => sync('periodic')));
        renders.push(lastRender);
        // Like an informer cache: only the changed slice is a new object, the rest stay the same objects.
        const moved = fixtures(n, r + 1).slices[0];
        current = { services: current.services, slices: moved === undefined ? current.slices : [moved, ...current.slices.slice(1)] };
        change.push(await time(() => sync('requested')));
        changeSplit.push(`${lastRender.toFixed(0)} / ${lastApply.toFixed(0)} ms`);
      }
      const text = handWritten(n);
      for (let r = 0; r < runs; r++) {
        hand.push(await time(() => cmds.nftApply(text)));
      }
      const iptText = iptablesRestore(n);
      for (let r = 0; r < runs; r++) {
        ipt.push(await time(async () => {
          await cmds.run(['iptables-restore'], iptText);
        }));
      }
      await cmds.nftApply('add table ip bench-hand\ndelete table ip bench-hand\nadd table ip k8ts-proxy\ndelete table ip k8ts-proxy\n');
      const { renderRuleset } = await import('../src/proxy/render.ts');
      lastLines = renderRuleset(current.services, current.slices, { hostname: 'bench-node', clusterCIDR: '172.16.0.0/12' }).text.split('\n').length;
      rows.push([String(n), fmt(median(empty)), fmt(median(replace)), fmt(median(renders)), fmt(median(change)), changeSplit[0] ?? '', fmt(median(hand)), fmt(median(ipt)), `${lastLines} / ${text.split('\n').length}`]);
      await proxier.stop();
    }
    const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
    for (const row of rows) {
      process.stdout.write(`${row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ')}\n`);
    }
    process.stdout.write(`(median of ${runs}; full syncs are one atomic replace, the change a partial transaction, all through \`ip netns exec ${netns} nft -f -\`; iptables-restore through \`ip netns exec\` too)\n`);
  } finally {
    execFileSync('ip', ['netns', 'del', netns]);
  }
}

await main();
