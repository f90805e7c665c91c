/**
 * Benchmark of the store and the API server, side by side in one run (BENCHMARKS.md):
 *  1. raw store write rate (sqlite inserts/s, etcd puts/s) of pod-sized values at concurrency
 *     1/16/64 vs apiserver pod creates/s through HTTPS at the same concurrency (ratio);
 *  2. list latency with 10k and 100k pods;
 *  3. one event delivered to 1,000 watchers: p50/p99 fan-out latency;
 *  4. apiserver RSS idle and with 100k pods stored.
 * Usage: node bench/apiserver.ts [--seconds 3] [--pods 10000,100000] [--watchers 1000] [--backends sqlite,etcd3]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStorage } from '../src/storage/open.ts';
import type { Storage } from '../src/storage/interface.ts';
import { startApiServer } from '../test/util/apiserver.ts';
import { startEtcd } from '../test/util/etcd.ts';
import { caFromKubeconfig } from '../test/util/http.ts';
import { benchPod } from './pod-fixture.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    pods: { type: 'string', default: '10000,100000' },
    watchers: { type: 'string', default: '1000' },
    backends: { type: 'string', default: 'sqlite,etcd3' },
    concurrency: { type: 'string', default: '1,16,64' },
  },
});
const seconds = Number(values.seconds);
const podCounts = values.pods.split(',').map(Number);
const watcherCount = Number(values.watchers);
const backends = values.backends.split(',') as ('sqlite' | 'etcd3')[];
const concurrencies = values.concurrency.split(',').map(Number);

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

interface Api {
  agent: Agent;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
}

function apiClient(url: string, kubeconfig: string, token: string, maxSockets: number): Api {
  const agent = new Agent({ ca: caFromKubeconfig(kubeconfig), keepAlive: true, maxSockets });
  return {
    agent,
    call: (method, path, body) =>
      new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : JSON.stringify(body);
        const req = request(`${url}${path}`, { method, agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(data === undefined ? {} : { 'content-type': 'application/json' }) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        req.end(data);
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

async function main(): Promise<void> {
  const etcd = backends.includes('etcd3') ? await startEtcd() : undefined;
  const lines: string[] = [];
  const out = (s: string): void => {
    lines.push(s);
    process.stdout.write(s + '\n');
  };
  try {
    out(`## writes: raw store vs apiserver pod creates over HTTPS (${seconds}s per cell)`);
    out('| backend | concurrency | store writes/s | apiserver creates/s | ratio |');
    out('|---|---|---|---|---|');
    for (const backend of backends) {
      const etcdServers = etcd?.endpoints ?? [];
      for (const c of concurrencies) {
        const value = JSON.stringify(benchPod('x'));
        const prefix = `/bench-raw/${backend}-${c}/`; // not under /registry: the apiserver below may share this etcd
        const storeRate = await withStore(backend, etcdServers, (s) => rate(c, async (i) => void (await s.create(`${prefix}p-${i}`, value))));
        const server = await startApiServer({ backend, etcdServers });
        const api = apiClient(server.url, server.kubeconfig, server.token, c);
        await api.call('POST', '/api/v1/namespaces', { metadata: { name: `bench-${c}` } });
        const apiRate = await rate(c, async (i) => {
          const r = await api.call('POST', `/api/v1/namespaces/bench-${c}/pods`, benchPod(`p-${i}`, `bench-${c}`));
          if (r.status !== 201) {
            throw new Error(`create: ${r.status} ${r.body}`);
          }
        });
        api.agent.destroy();
        await server.stop();
        out(`| ${backend} | ${c} | ${storeRate.toFixed(0)} | ${apiRate.toFixed(0)} | ${((apiRate / storeRate) * 100).toFixed(0)}% |`);
      }
    }

    out('\n## list latency and RSS (sqlite; pods written to the store directly, then the apiserver started)');
    out('| pods | apiserver RSS idle MiB | RSS after list MiB | list p50 ms | list max ms (of 5) | response MiB |');
    out('|---|---|---|---|---|---|');
    for (const count of podCounts) {
      const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-list-'));
      try {
        // First start creates the data dir layout (PKI, namespaces); then fill the store offline.
        const first = await startApiServer({ backend: 'sqlite', dataDir });
        const idle = rssMiB(first.pid);
        await first.stop();
        const storage = await openStorage({ backend: 'sqlite', dataDir });
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
        await storage.close();
        const server = await startApiServer({ backend: 'sqlite', dataDir });
        const api = apiClient(server.url, server.kubeconfig, server.token, 1);
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < 5; i++) {
          const t = performance.now();
          const r = await api.call('GET', '/api/v1/namespaces/bench/pods');
          times.push(performance.now() - t);
          bytes = r.body.length;
          if (r.status !== 200) {
            throw new Error(`list: ${r.status}`);
          }
        }
        const loaded = rssMiB(server.pid);
        times.sort((a, b) => a - b);
        out(`| ${count} | ${idle.toFixed(0)} | ${loaded.toFixed(0)} | ${percentile(times, 50).toFixed(0)} | ${times[times.length - 1].toFixed(0)} | ${(bytes / 1048576).toFixed(1)} |`);
        api.agent.destroy();
        await server.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }

    out(`\n## watch fan-out: one event to ${watcherCount} watchers (sqlite)`);
    const server = await startApiServer({ backend: 'sqlite' });
    try {
      const ca = caFromKubeconfig(server.kubeconfig);
      const arrivals: number[] = [];
      let sentAt = 0;
      const reqs = await Promise.all(
        Array.from(
          { length: watcherCount },
          () =>
            new Promise<ReturnType<typeof request>>((resolve, reject) => {
              const req = request(`${server.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0`, { ca, agent: false, headers: { authorization: `Bearer ${server.token}` } }, (res) => {
                res.setEncoding('utf8').on('data', (d: string) => {
                  if (d.includes('"fanout"')) {
                    arrivals.push(performance.now() - sentAt);
                  }
                });
                resolve(req);
              });
              req.on('error', reject);
              req.end();
            }),
        ),
      );
      const api = apiClient(server.url, server.kubeconfig, server.token, 1);
      sentAt = performance.now();
      await api.call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'fanout' } });
      const deadline = Date.now() + 30_000;
      while (arrivals.length < watcherCount && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      arrivals.sort((a, b) => a - b);
      out('| watchers | delivered | p50 ms | p99 ms | max ms |');
      out('|---|---|---|---|---|');
      out(`| ${watcherCount} | ${arrivals.length} | ${percentile(arrivals, 50).toFixed(1)} | ${percentile(arrivals, 99).toFixed(1)} | ${arrivals[arrivals.length - 1]?.toFixed(1)} |`);
      for (const r of reqs) {
        r.destroy();
      }
      api.agent.destroy();
    } finally {
      await server.stop();
    }
  } finally {
    await etcd?.stop();
  }
}

await main();
