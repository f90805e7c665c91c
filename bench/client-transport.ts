/**
 * HTTP/1.1 against HTTP/2 for the REST client's writes: against one real apiserver (child
 * process), rounds of N pod creates followed by N bindings, `--concurrency` requests in flight,
 * alternating between RestClient over HTTP/1.1 (keep-alive agent, one request per socket at a
 * time) and RestClient with `transport: 'h2'` (one session, multiplexed streams). Reports the CPU
 * time per request of the apiserver (/proc/<pid>/stat) and of this process (process.cpuUsage),
 * and wall-clock requests/s, per round; alternating rounds (h1 first, then h2 first) put both on
 * the same load and the same drift; a first warm-up round of each is not counted in the totals.
 * Usage: node bench/client-transport.ts [--pods 2000] [--rounds 4] [--concurrency 64]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { pathFor } from '../src/client/paths.ts';
import { RestClient } from '../src/client/rest.ts';
import type { RestTransport } from '../src/client/rest.ts';
import { silentLogger } from '../src/client/log.ts';
import { startApiServer } from '../test/util/apiserver.ts';
import { cpuMs, parallel } from './process-cpu.ts';

const { values } = parseArgs({
  options: {
    pods: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '64' },
  },
});
const podCount = Number(values.pods);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);

function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}



const api = await startApiServer();
try {
  const setup = await RestClient.fromKubeconfig(api.kubeconfig, { qps: 0, logger: silentLogger });
  await setup.create({ group: '', version: 'v1', resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-0' } });
  setup.close();
  const podsPath = pathFor({ group: '', version: 'v1', resource: 'pods', namespace: 'default' });
  process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${podCount} creates + ${podCount} bindings per round, ${concurrency} in flight\n`);
  process.stdout.write('| round | transport | apiserver CPU µs/request | client CPU µs/request | total | requests/s |\n|---|---|---|---|---|---|\n');
  const totals = new Map<RestTransport, { api: number; own: number; n: number }>();
  for (let r = 0; r <= rounds; r++) {
    // Round 0 warms both up (JIT, the store); later rounds alternate which goes first.
    for (const transport of r % 2 === 0 ? (['h1', 'h2'] as const) : (['h2', 'h1'] as const)) {
      const client = await RestClient.fromKubeconfig(api.kubeconfig, { qps: 0, logger: silentLogger, transport });
      // Warm the connection(s) outside the measurement.
      await parallel(concurrency, concurrency, () => client.raw({ method: 'GET', path: '/api/v1/namespaces/default/pods', query: { limit: 1 } }));
      const prefix = `${transport}-${r}-`;
      const a0 = cpuMs(api.pid);
      const c0 = ownCpuMs();
      const t0 = performance.now();
      await parallel(podCount, concurrency, async (i) => {
        const res = await client.raw({
          method: 'POST',
          path: podsPath,
          body: {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: `${prefix}${i}`, labels: { app: 'bench' } },
            spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' } } }] },
          },
        });
        if (res.status !== 201) {
          throw new Error(`create: HTTP ${res.status}: ${res.body}`);
        }
      });
      await parallel(podCount, concurrency, (i) =>
        client.requestWithoutResult({
          method: 'POST',
          path: `${podsPath}/${prefix}${i}/binding`,
          body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: `${prefix}${i}` }, target: { kind: 'Node', name: 'node-0' } },
        }),
      );
      const wall = performance.now() - t0;
      const apiMs = cpuMs(api.pid) - a0;
      const ownMs = ownCpuMs() - c0;
      client.close();
      const n = podCount * 2;
      if (r > 0) {
        const t = totals.get(transport) ?? { api: 0, own: 0, n: 0 };
        totals.set(transport, { api: t.api + apiMs, own: t.own + ownMs, n: t.n + n });
      }
      const us = (ms: number): string => ((ms * 1000) / n).toFixed(0);
      process.stdout.write(`| ${r === 0 ? 'warm-up' : r} | ${transport} | ${us(apiMs)} | ${us(ownMs)} | ${us(apiMs + ownMs)} | ${((n * 1000) / wall).toFixed(0)} |\n`);
    }
  }
  for (const [transport, t] of totals) {
    const us = (ms: number): string => ((ms * 1000) / t.n).toFixed(0);
    process.stdout.write(`| rounds 1–${rounds} | ${transport} | ${us(t.api)} | ${us(t.own)} | ${us(t.api + t.own)} | |\n`);
  }
  process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
} finally {
  await api.stop();
}
