/**
 * Cluster DNS throughput and latency, side by side with a resolver peer, in one run:
 *   - a real apiserver (test/util/apiserver.ts) with N ClusterIP Services in `default`,
 *   - the real `k8ts dns` process answering for them (watch-fed, on a free loopback port),
 *   - Debian's dnsmasq answering the same names from a hosts file (another free loopback port;
 *     `apt-get install dnsmasq-base` is run if it is missing, as is `dnsperf`),
 *   - `dnsperf` firing A queries for the N cluster names over UDP at each --concurrency
 *     (outstanding queries), --seconds per cell; p50/p99 come from its per-query (-v) latencies.
 * Beside wall-clock numbers it reports each server's CPU time per 1,000 answered queries
 * (/proc/<pid>/stat), which the machine's load does not inflate as much; and, in this process,
 * the CPU cost of one answer through the full path (decode, lookup, encode) against a hit in the
 * server's answer cache, for the same names.
 * Usage: node bench/dns.ts [--services 1000] [--concurrency 10,50,200] [--seconds 5]
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as packet from 'dns-packet';
import { AnswerCache } from '../src/dns/answer-cache.ts';
import type { Forwarder } from '../src/dns/forwarder.ts';
import { ClusterDnsIndex } from '../src/dns/records.ts';
import { answerQuery } from '../src/dns/server.ts';
import { startApiServer } from '../test/util/apiserver.ts';
import { testApiClient } from '../test/util/http.ts';
import { freePort } from '../test/util/wait.ts';

const { values } = parseArgs({ options: { services: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '10,50,200' }, seconds: { type: 'string', default: '5' } } });
const services = Number(values.services ?? '1000');
const concurrencies = (values.concurrency ?? '10,50,200').split(',').map(Number);
const seconds = Number(values.seconds ?? '5');
const k8ts = new URL('../bin/k8ts', import.meta.url).pathname;

/** Installs the Debian packages the benchmark drives, if missing (needs root and network once). */
function ensureTools(): void {
  const missing = [['dnsperf', 'dnsperf'], ['dnsmasq', 'dnsmasq-base']].filter(([bin]) => {
    try {
      execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    execFileSync('apt-get', ['install', '-y', '-q', ...missing.map(([, pkg]) => pkg ?? '')], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
}

/** CPU seconds (user+sys) a process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One A query over UDP; resolves the answered addresses ([] on NXDOMAIN or no answer within 2 s). */
function queryA(port: number, name: string): Promise<string[]> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      resolve([]);
    }, 2000);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve((packet.decode(m).answers ?? []).flatMap((a) => (a.type === 'A' ? [a.data] : [])));
    });
    sock.send(packet.encode({ type: 'query', id: 1, flags: packet.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
  });
}

/** Starts a child and resolves once `ready` matches its stderr (the match's first group returned). */
function startChild(cmd: string, args: string[], ready: RegExp, live: ChildProcess[]): Promise<{ child: ChildProcess; match: string }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  live.push(child);
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start within 60 s: ${err}`)), 60_000);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      err = (err + d).slice(-10_000);
      const m = ready.exec(err);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, match: m[1] ?? '' });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited ${code}: ${err}`));
    });
  });
}

interface Cell {
  readonly qps: number;
  readonly p50: number;
  readonly p99: number;
  readonly lost: number;
  readonly cpuPer1000: number;
}

/** One dnsperf run against 127.0.0.1:port; latencies in ms. */
function dnsperf(port: number, queryFile: string, outstanding: number, pid: number): Cell {
  const cpu0 = cpuSeconds(pid);
  const out = execFileSync('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', String(seconds), '-q', String(outstanding), '-c', '1', '-v'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const cpu = cpuSeconds(pid) - cpu0;
  const latencies: number[] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('> NOERROR ')) {
      latencies.push(Number(line.slice(line.lastIndexOf(' ') + 1)) * 1000);
    }
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const lost = Number(/Queries lost:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const completed = Number(/Queries completed:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  if (latencies.length < completed * 0.99) {
    throw new Error(`only ${latencies.length} of ${completed} answers were NOERROR`);
  }
  return { qps, p50: at(0.5), p99: at(0.99), lost, cpuPer1000: (cpu * 1000 * 1000) / Math.max(1, completed) };
}

/** CPU µs per answer: the full path (decode, index lookup, encode) vs an answer-cache hit. */
async function hotPath(ips: ReadonlyMap<string, string>): Promise<{ full: number; cached: number }> {
  const index = new ClusterDnsIndex('cluster.local');
  for (const [name, ip] of ips) {
    const [svc = '', ns = ''] = name.split('.');
    index.upsertService({ metadata: { name: svc, namespace: ns }, spec: { clusterIP: ip, ports: [{ name: 'http', port: 80 }] } });
  }
  const noForwarder = { resolve: () => Promise.reject(new Error('not forwarded')) } as unknown as Forwarder;
  const queries = [...ips.keys()].map((name, i) => packet.encode({ type: 'query', id: i & 0xffff, flags: packet.RECURSION_DESIRED, questions: [{ type: 'A', name }] }));
  const cache = new AnswerCache();
  const rounds = Math.max(1, Math.ceil(20_000 / queries.length));
  const cpu = async (fn: (q: Buffer) => Promise<void> | void): Promise<number> => {
    const c0 = process.cpuUsage();
    for (let r = 0; r < rounds; r++) {
      for (const q of queries) {
        await fn(q);
      }
    }
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / (rounds * queries.length);
  };
  const full = await cpu(async (q) => {
    const out = packet.encode(await answerQuery(packet.decode(q), index, noForwarder));
    cache.set(q, out, index.generation);
  });
  const cached = await cpu((q) => {
    if (cache.get(q, index.generation) === undefined) {
      throw new Error('cache miss');
    }
  });
  return { full, cached };
}

async function main(): Promise<void> {
  ensureTools();
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-dnsbench-'));
  chmodSync(dir, 0o755); // dnsmasq drops to nobody before reading the hosts file
  const live: ChildProcess[] = [];
  const api = await startApiServer({ backend: 'sqlite' });
  const client = testApiClient(api.url, api.kubeconfig, api.token);
  try {
    const ips = new Map<string, string>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < services) {
        const name = `svc-${next++}`;
        const res = await client.request('POST', '/api/v1/namespaces/default/services', { metadata: { name }, spec: { ports: [{ name: 'http', port: 80 }], selector: { app: name } } });
        if (res.status !== 201) {
          throw new Error(`create ${name}: ${res.status} ${res.body}`);
        }
        ips.set(`${name}.default.svc.cluster.local`, res.json<{ spec: { clusterIP: string } }>().spec.clusterIP);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const names = [...ips.keys()];
    const queryFile = join(dir, 'queries');
    writeFileSync(queryFile, names.map((n) => `${n} A\n`).join(''));
    const hosts = join(dir, 'hosts');
    writeFileSync(hosts, [...ips].map(([n, ip]) => `${ip} ${n}\n`).join(''));
    chmodSync(hosts, 0o644);

    const ours = await startChild(k8ts, ['dns', '--kubeconfig', api.kubeconfig, '--bind-address', '127.0.0.1', '--port', '0', '--upstream', '127.0.0.1:9'], /serving .* on 127\.0\.0\.1:(\d+)/, live);
    const oursPort = Number(ours.match);
    const lastName = names.at(-1) ?? '';
    for (let i = 0; (await queryA(oursPort, lastName))[0] !== ips.get(lastName); i++) {
      if (i > 300) {
        throw new Error('k8ts dns never answered for the last service');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const dnsmasqPort = await freePort();
    // --local: cluster.local is answered from the hosts file only (NXDOMAIN otherwise), like an authoritative zone.
    const peer = await startChild('dnsmasq', ['--keep-in-foreground', '--no-resolv', '--no-hosts', `--addn-hosts=${hosts}`, '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${dnsmasqPort}`, '--local=/cluster.local/', '--pid-file=', '--log-facility=-'], /(read .* names)/, live);
    if ((await queryA(dnsmasqPort, lastName))[0] !== ips.get(lastName)) {
      throw new Error('dnsmasq does not answer from the hosts file');
    }

    const rows = [['outstanding queries', 'server', 'queries/s', 'p50', 'p99', 'lost', 'server CPU per 1000 queries', 'load (1 min)']];
    for (const c of concurrencies) {
      for (const [label, port, pid] of [['k8ts dns', oursPort, ours.child.pid ?? 0], ['dnsmasq 2.90', dnsmasqPort, peer.child.pid ?? 0]] as const) {
        const cell = dnsperf(port, queryFile, c, pid);
        rows.push([String(c), label, cell.qps.toFixed(0), `${cell.p50.toFixed(2)} ms`, `${cell.p99.toFixed(2)} ms`, String(cell.lost), `${cell.cpuPer1000.toFixed(0)} ms`, loadavg()[0]?.toFixed(1) ?? '?']);
      }
    }
    for (const row of rows) {
      process.stdout.write(`| ${row.join(' | ')} |\n`);
    }
    process.stdout.write(`(${services} Services; dnsperf -l ${seconds} -c 1 -q <outstanding>, A queries over UDP for every service name in turn)\n`);
    const hot = await hotPath(ips);
    process.stdout.write(`in-process CPU per answer: full path (decode, lookup, encode) ${hot.full.toFixed(1)} µs, answer-cache hit ${hot.cached.toFixed(1)} µs\n`);
  } finally {
    for (const child of live) {
      child.kill('SIGTERM');
    }
    client.close();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
