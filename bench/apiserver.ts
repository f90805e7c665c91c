/**
 * Benchmark of the store and the API server, side by side in one run (BENCHMARKS.md):
 *  1. raw store write rate (sqlite inserts/s, etcd puts/s) of pod-sized values at concurrency
 *     1/16/64 vs apiserver pod creates/s through HTTPS at the same concurrency (ratio);
 *  2. list latency with 10k and 100k pods, apiserver RSS idle and with the pods stored;
 *  3. one event delivered to 1,000 watchers: p50/p99 fan-out latency;
 *  4. start-up time of `k8ts apiserver` (fresh data dir, and again on the same dir);
 *  5. (`--sections paths`, not in the default set) apiserver CPU per request on the hot write
 *     paths: POST pods, POST pods/binding, PUT leases (sim-nodes' heartbeat), PATCH nodes/status.
 * A failing cell is reported in its row and the run goes on.
 * Usage: node bench/apiserver.ts [--seconds 3] [--pods 10000,100000] [--watchers 1000]
 *        [--backends sqlite,etcd3] [--concurrency 1,16,64] [--sections writes,list,watch,startup,paths] [--path-ops 2000]
 *        [--apiserver-node-options '--cpu-prof --cpu-prof-dir=/tmp/prof'] (NODE_OPTIONS of the apiservers started)
 * The list client reads every byte of the body and discards it (no JSON.parse); its gzip rows
 * send `Accept-Encoding: gzip` as Go clients do and gunzip the body as they would.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createGunzip } from 'node:zlib';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStorage } from '../src/storage/open.ts';
import type { Storage } from '../src/storage/interface.ts';
import { startApiServer } from '../test/util/apiserver.ts';
import type { TestApiServer } from '../test/util/apiserver.ts';
import { startEtcd } from '../test/util/etcd.ts';
import { caFromKubeconfig } from '../test/util/http.ts';
import { benchPod } from './pod-fixture.ts';
import { cpuMs } from './process-cpu.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    pods: { type: 'string', default: '10000,100000' },
    watchers: { type: 'string', default: '1000' },
    backends: { type: 'string', default: 'sqlite,etcd3' },
    concurrency: { type: 'string', default: '1,16,64' },
    sections: { type: 'string', default: 'writes,list,watch,startup' },
    'path-ops': { type: 'string', default: '2000' },
    'apiserver-node-options': { type: 'string' },
  },
});
if (values['apiserver-node-options'] !== undefined) {
  // Read by every apiserver this script starts (test/util/apiserver.ts spawns with our environment), e.g. --cpu-prof.
  process.env.NODE_OPTIONS = values['apiserver-node-options'];
}
const seconds = Number(values.seconds);
const podCounts = values.pods.split(',').map(Number);
const watcherCount = Number(values.watchers);
const backends = values.backends.split(',') as ('sqlite' | 'etcd3')[];
const concurrencies = values.concurrency.split(',').map(Number);
const sections = new Set(values.sections.split(','));

/** Runs `op` from `concurrency` loops for `seconds`; returns completed ops per second. */
async function rate(concurrency: number, op: (i: number) => Promise<void>): Promise<number> {
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await op(n++);
      }
    }),
  );
  return n / ((performance.now() - start) / 1000);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}


function why(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 160);
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

interface Api {
  agent: Agent;
  /** Sends a request; returns the status and the body's byte length (and the text when `keepBody`). */
  call(method: string, path: string, body?: unknown, keepBody?: boolean, contentType?: string): Promise<{ status: number; bytes: number; body: string }>;
  /** GET with `Accept-Encoding: gzip`, reading and gunzipping the whole body (discarded); wire and plain byte counts. */
  getGzip(path: string): Promise<{ status: number; wireBytes: number; plainBytes: number; encoding: string }>;
}

function apiClient(url: string, kubeconfig: string, token: string, maxSockets: number): Api {
  const agent = new Agent({ ca: caFromKubeconfig(kubeconfig), keepAlive: true, maxSockets });
  return {
    agent,
    call: (method, path, body, keepBody = true, contentType = 'application/json') =>
      new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : JSON.stringify(body);
        const req = request(`${url}${path}`, { method, agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(data === undefined ? {} : { 'content-type': contentType }) } }, (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (d: Buffer) => {
            bytes += d.length;
            if (keepBody) {
              chunks.push(d);
            }
          });
          res.on('error', reject);
          res.on('aborted', () => reject(new Error(`response aborted after ${bytes} bytes`)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, body: keepBody ? Buffer.concat(chunks).toString('utf8') : '' }));
        });
        req.on('error', reject);
        req.end(data);
      }),
    getGzip: (path) =>
      new Promise((resolve, reject) => {
        const req = request(`${url}${path}`, { agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'accept-encoding': 'gzip' } }, (res) => {
          const encoding = res.headers['content-encoding'] ?? 'identity';
          let wireBytes = 0;
          let plainBytes = 0;
          res.on('data', (d: Buffer) => (wireBytes += d.length));
          res.on('aborted', () => reject(new Error(`response aborted after ${wireBytes} bytes`)));
          const plain = encoding === 'gzip' ? res.pipe(createGunzip()) : res;
          plain.on('data', (d: Buffer) => (plainBytes += d.length));
          plain.on('error', reject);
          plain.on('end', () => resolve({ status: res.statusCode ?? 0, wireBytes, plainBytes, encoding }));
        });
        req.on('error', reject);
        req.end();
      }),
  };
}

async function withStore<T>(backend: 'sqlite' | 'etcd3', etcdServers: string[], fn: (s: Storage) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-store-'));
  const storage = await openStorage({ backend, dataDir: dir, etcdServers });
  try {
    return await fn(storage);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const lines: string[] = [];
function out(s: string): void {
  lines.push(s);
  process.stdout.write(s + '\n');
}

async function writesSection(etcdServers: string[]): Promise<void> {
  out(`## writes: raw store vs apiserver pod creates over HTTPS (${seconds}s per cell)`);
  out('| backend | concurrency | store writes/s | apiserver creates/s | ratio | apiserver CPU ms per create | load avg |');
  out('|---|---|---|---|---|---|---|');
  for (const backend of backends) {
    for (const c of concurrencies) {
      let storeRate = NaN;
      let apiRate = NaN;
      let cpuPerCreate = NaN;
      let failure = '';
      try {
        const value = JSON.stringify(benchPod('x'));
        const prefix = `/bench-raw/${backend}-${c}/`; // not under /registry: the apiserver below may share this etcd
        storeRate = await withStore(backend, etcdServers, (s) => rate(c, async (i) => void (await s.create(`${prefix}p-${i}`, value))));
        const server = await startApiServer({ backend, etcdServers });
        const api = apiClient(server.url, server.kubeconfig, server.token, c);
        try {
          await api.call('POST', '/api/v1/namespaces', { metadata: { name: `bench-${c}` } });
          const cpuBefore = cpuMs(server.pid);
          let created = 0;
          apiRate = await rate(c, async (i) => {
            const r = await api.call('POST', `/api/v1/namespaces/bench-${c}/pods`, benchPod(`p-${i}`, `bench-${c}`));
            if (r.status !== 201) {
              throw new Error(`create: ${r.status} ${r.body}`);
            }
            created++;
          });
          cpuPerCreate = (cpuMs(server.pid) - cpuBefore) / created;
        } finally {
          api.agent.destroy();
          await server.stop();
        }
      } catch (err) {
        failure = ` FAILED: ${why(err)}`;
      }
      out(`| ${backend} | ${c} | ${storeRate.toFixed(0)} | ${apiRate.toFixed(0)}${failure} | ${((apiRate / storeRate) * 100).toFixed(0)}% | ${cpuPerCreate.toFixed(2)} | ${load()} |`);
    }
  }
}

/** Runs op(0..n-1) from `width` loops; returns the apiserver CPU ms per op and ops/s. */
async function measurePath(pid: number, n: number, width: number, op: (i: number) => Promise<void>): Promise<{ cpu: number; rate: number }> {
  const cpuBefore = cpuMs(pid);
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    for (let i = next++; i < n; i = next++) {
      await op(i);
    }
  }));
  return { cpu: (cpuMs(pid) - cpuBefore) / n, rate: n / ((performance.now() - start) / 1000) };
}

async function pathsSection(): Promise<void> {
  const n = Number(values['path-ops']);
  const width = 32;
  out(`\n## hot write paths: apiserver CPU per request (sqlite, ${n} requests per path, ${width} in flight, HTTPS keep-alive)`);
  out('| path | apiserver CPU ms per request | requests/s | load avg |');
  out('|---|---|---|---|');
  const server = await startApiServer();
  const api = apiClient(server.url, server.kubeconfig, server.token, width);
  const must = async (method: string, path: string, body: unknown, want: number): Promise<string> => {
    const r = await api.call(method, path, body);
    if (r.status !== want) {
      throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 200)}`);
    }
    return r.body;
  };
  const renew = (i: number, rv?: string): unknown => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `n-${i}`, ...(rv === undefined ? {} : { resourceVersion: rv }) }, spec: { holderIdentity: `n-${i}`, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') } });
  const rvOf = (body: string): string => (JSON.parse(body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const row = (path: string, m: { cpu: number; rate: number }): void => out(`| ${path} | ${m.cpu.toFixed(2)} | ${m.rate.toFixed(0)} | ${load()} |`);
  try {
    await must('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } }, 201);
    row('POST pods', await measurePath(server.pid, n, width, async (i) => void (await must('POST', '/api/v1/namespaces/bench/pods', benchPod(`p-${i}`, 'bench'), 201))));
    row('POST pods/binding', await measurePath(server.pid, n, width, async (i) => void (await must('POST', `/api/v1/namespaces/bench/pods/p-${i}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: `p-${i}` }, target: { kind: 'Node', name: `n-${i % 100}` } }, 201))));
    const rvs: string[] = [];
    const leases = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
    await measurePath(server.pid, n, width, async (i) => void (rvs[i] = rvOf(await must('POST', leases, renew(i), 201))));
    row('PUT leases (renew)', await measurePath(server.pid, n, width, async (i) => void (rvs[i] = rvOf(await must('PUT', `${leases}/n-${i}`, renew(i, rvs[i]), 200)))));
    await measurePath(server.pid, n, width, async (i) => void (await must('POST', '/api/v1/nodes', { metadata: { name: `n-${i}` }, status: { capacity: { cpu: '4' }, allocatable: { cpu: '4' }, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date().toISOString() }] } }, 201)));
    row('PATCH nodes/status (heartbeat)', await measurePath(server.pid, n, width, async (i) => {
      const patch = { status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date(Date.now() + 1000).toISOString() }] } };
      const r = await api.call('PATCH', `/api/v1/nodes/n-${i}/status`, patch, true, 'application/strategic-merge-patch+json');
      if (r.status !== 200) {
        throw new Error(`PATCH nodes/status: ${r.status} ${r.body.slice(0, 200)}`);
      }
    }));
  } finally {
    api.agent.destroy();
    await server.stop();
  }
}

async function fillStore(dataDir: string, count: number): Promise<void> {
  const storage = await openStorage({ backend: 'sqlite', dataDir });
  try {
    await storage.create('/registry/namespaces/bench', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench', uid: 'bench-ns', creationTimestamp: new Date().toISOString() }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }));
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < count) {
          const i = next++;
          const pod = benchPod(`p-${i}`);
          (pod.metadata as Record<string, unknown>).uid = `uid-${i}`;
          (pod.metadata as Record<string, unknown>).creationTimestamp = new Date().toISOString();
          await storage.create(`/registry/pods/bench/p-${i}`, JSON.stringify(pod));
        }
      }),
    );
  } finally {
    await storage.close();
  }
}

async function listSection(): Promise<void> {
  out('\n## list latency and RSS (sqlite; pods written to the store directly, then the apiserver started)');
  out('| pods | RSS idle MiB | RSS with pods, before list MiB | RSS after lists MiB | list p50 ms | list max ms (of 5) | apiserver CPU ms: 1st list, later lists (mean) | bench client CPU ms per list (mean of 5) | page 500 p50 ms | response MiB | gzip list p50 ms (of 3) | gzip apiserver CPU ms (mean) | gzip response MiB on the wire | load avg |');
  out('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const count of podCounts) {
    const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-list-'));
    let server: TestApiServer | undefined;
    let api: Api | undefined;
    const row: (string | number)[] = [count, '—', '—', '—', '—', '—', '—', '—', '—', '—', '—', '—', '—'];
    try {
      // First start creates the data dir layout (PKI, namespaces); then fill the store offline.
      const first = await startApiServer({ backend: 'sqlite', dataDir });
      row[1] = rssMiB(first.pid).toFixed(0);
      await first.stop();
      await fillStore(dataDir, count);
      server = await startApiServer({ backend: 'sqlite', dataDir });
      api = apiClient(server.url, server.kubeconfig, server.token, 1);
      // The first list waits for the watch cache to be filled; RSS is then measured with the pods in memory.
      const warm = await api.call('GET', '/api/v1/namespaces/bench/pods?limit=1', undefined, false);
      if (warm.status !== 200) {
        throw new Error(`list limit=1: ${warm.status}`);
      }
      row[2] = rssMiB(server.pid).toFixed(0);
      const times: number[] = [];
      const clientBefore = process.cpuUsage();
      const cpuBefore = cpuMs(server.pid);
      let cpuFirst = 0;
      for (let i = 0; i < 5; i++) {
        if (i === 1) {
          cpuFirst = cpuMs(server.pid) - cpuBefore;
        }
        const t = performance.now();
        const r = await api.call('GET', '/api/v1/namespaces/bench/pods', undefined, false);
        times.push(performance.now() - t);
        if (r.status !== 200) {
          throw new Error(`list: ${r.status}`);
        }
        row[9] = (r.bytes / 1048576).toFixed(1);
      }
      row[6] = `${cpuFirst.toFixed(0)}, ${((cpuMs(server.pid) - cpuBefore - cpuFirst) / 4).toFixed(0)}`;
      const client = process.cpuUsage(clientBefore);
      row[7] = ((client.user + client.system) / 1000 / 5).toFixed(0);
      row[3] = rssMiB(server.pid).toFixed(0);
      times.sort((a, b) => a - b);
      row[4] = percentile(times, 50).toFixed(0);
      row[5] = times[times.length - 1].toFixed(0);
      const pages: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const r = await api.call('GET', '/api/v1/namespaces/bench/pods?limit=500', undefined, false);
        pages.push(performance.now() - t);
        if (r.status !== 200) {
          throw new Error(`list limit=500: ${r.status}`);
        }
      }
      pages.sort((a, b) => a - b);
      row[8] = percentile(pages, 50).toFixed(0);
      // As a Go client (kubectl, client-go) asks by default: gzip, decompressed by the client.
      const zipped: number[] = [];
      const cpuBeforeGzip = cpuMs(server.pid);
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const r = await api.getGzip('/api/v1/namespaces/bench/pods');
        zipped.push(performance.now() - t);
        if (r.status !== 200) {
          throw new Error(`gzip list: ${r.status}`);
        }
        row[12] = `${(r.wireBytes / 1048576).toFixed(2)} (${r.encoding})`;
      }
      row[11] = ((cpuMs(server.pid) - cpuBeforeGzip) / 3).toFixed(0);
      zipped.sort((a, b) => a - b);
      row[10] = percentile(zipped, 50).toFixed(0);
      out(`| ${row.join(' | ')} | ${load()} |`);
    } catch (err) {
      out(`| ${row.join(' | ')} | ${load()} | FAILED: ${why(err)}`);
    } finally {
      api?.agent.destroy();
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

async function watchSection(): Promise<void> {
  out(`\n## watch fan-out: one event to ${watcherCount} watchers (sqlite; latency from the POST being sent to the event's line arriving at each watcher)`);
  out('| watchers | delivered | p50 ms | p99 ms | max ms | load avg |');
  out('|---|---|---|---|---|---|');
  let server: TestApiServer | undefined;
  const reqs: ReturnType<typeof request>[] = [];
  const arrivals: number[] = [];
  try {
    server = await startApiServer({ backend: 'sqlite' });
    const s = server;
    const ca = caFromKubeconfig(s.kubeconfig);
    let sentAt = 0;
    // Open the watches a few at a time (a thousand TLS handshakes at once would time out on a loaded machine).
    for (let i = 0; i < watcherCount; i += 50) {
      await Promise.all(
        Array.from(
          { length: Math.min(50, watcherCount - i) },
          () =>
            new Promise<void>((resolve, reject) => {
              const req = request(`${s.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0`, { ca, agent: false, headers: { authorization: `Bearer ${s.token}` } }, (res) => {
                let seen = false;
                res.setEncoding('utf8').on('data', (d: string) => {
                  if (!seen && d.includes('"fanout"')) {
                    seen = true;
                    arrivals.push(performance.now() - sentAt);
                  }
                });
                res.on('error', () => {});
                resolve();
              });
              reqs.push(req);
              req.on('error', reject);
              req.end();
            }),
        ),
      );
    }
    const api = apiClient(s.url, s.kubeconfig, s.token, 1);
    try {
      sentAt = performance.now();
      await api.call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'fanout' } });
      const deadline = Date.now() + 30_000;
      while (arrivals.length < watcherCount && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      api.agent.destroy();
    }
    arrivals.sort((a, b) => a - b);
    out(`| ${watcherCount} | ${arrivals.length} | ${percentile(arrivals, 50).toFixed(1)} | ${percentile(arrivals, 99).toFixed(1)} | ${arrivals[arrivals.length - 1]?.toFixed(1)} | ${load()} |`);
  } catch (err) {
    out(`| ${watcherCount} | ${arrivals.length} | — | — | — | ${load()} | FAILED: ${why(err)}`);
  } finally {
    for (const r of reqs) {
      r.destroy();
    }
    await server?.stop();
  }
}

async function startupSection(): Promise<void> {
  out('\n## start-up of `k8ts apiserver` (sqlite; process spawn until /readyz answers 200)');
  out('| run | seconds | apiserver CPU s until ready | load avg |');
  out('|---|---|---|---|');
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-start-'));
  try {
    for (const run of ['fresh data dir', 'same data dir (1)', 'same data dir (2)']) {
      try {
        const t = performance.now();
        const server = await startApiServer({ backend: 'sqlite', dataDir });
        const took = (performance.now() - t) / 1000;
        const cpu = cpuMs(server.pid) / 1000;
        await server.stop();
        out(`| ${run} | ${took.toFixed(2)} | ${cpu.toFixed(2)} | ${load()} |`);
      } catch (err) {
        out(`| ${run} | FAILED: ${why(err)} | — | ${load()} |`);
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  out(`load average at start: ${load()}`);
  const etcd = sections.has('writes') && backends.includes('etcd3') ? await startEtcd() : undefined;
  try {
    if (sections.has('writes')) {
      await writesSection(etcd?.endpoints ?? []);
    }
  } finally {
    await etcd?.stop();
  }
  if (sections.has('list')) {
    await listSection();
  }
  if (sections.has('watch')) {
    await watchSection();
  }
  if (sections.has('startup')) {
    await startupSection();
  }
  if (sections.has('paths')) {
    await pathsSection();
  }
  out(`\nload average at end: ${load()}`);
}

// Ctrl-C / SIGTERM: exit through process 'exit', where test/util/apiserver.ts kills the apiservers it started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(130));
}
await main();
