/**
 * The apiserver's CPU per request by kind, over HTTP/2 with `--concurrency` in flight, against
 * one real apiserver: a trivial GET (/version: the transport, authentication and routing
 * floor), a GET of one pod from the watch cache, a pod create, a binding, an event create.
 * Tells how much of a scheduled pod's cost (create + binding + event) is per-request overhead
 * and how much is each write's own work. CPU from /proc/<pid>/stat (10 ms ticks: N large).
 * Usage: node bench/request-cost.ts [--n 4000] [--concurrency 64]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { pathFor } from '../src/client/paths.ts';
import { RestClient } from '../src/client/rest.ts';
import { silentLogger } from '../src/client/log.ts';
import { startApiServer } from '../test/util/apiserver.ts';
import { cpuMs, parallel } from './process-cpu.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '4000' }, concurrency: { type: 'string', default: '64' } } });
const n = Number(values.n);
const width = Number(values.concurrency);

const api = await startApiServer();
try {
  const client = await RestClient.fromKubeconfig(api.kubeconfig, { qps: 0, logger: silentLogger, transport: 'h2' });
  await client.create({ group: '', version: 'v1', resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-0' } });
  const podsPath = pathFor({ group: '', version: 'v1', resource: 'pods', namespace: 'default' });
  const eventsPath = pathFor({ group: 'events.k8s.io', version: 'v1', resource: 'events', namespace: 'default' });
  const expect = async (p: Promise<{ status: number; body: string }>, code: number): Promise<void> => {
    const res = await p;
    if (res.status !== code) {
      throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    }
  };
  const kinds: Array<[string, (i: number) => Promise<void>]> = [
    ['GET /version', () => expect(client.raw({ method: 'GET', path: '/version' }), 200)],
    ['pod create', (i) => expect(client.raw({ method: 'POST', path: podsPath, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'bench' } }, spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } } }] } } }), 201)],
    ['GET pod (cache)', (i) => expect(client.raw({ method: 'GET', path: `${podsPath}/p-${i}` }), 200)],
    ['binding', (i) => expect(client.raw({ method: 'POST', path: `${podsPath}/p-${i}/binding`, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: `p-${i}` }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-0' } } }), 201)],
    ['event create', (i) => expect(client.raw({ method: 'POST', path: eventsPath, body: { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: `p-${i}.${i.toString(16)}` }, eventTime: new Date().toISOString().replace('Z', '000Z'), reportingController: 'default-scheduler', reportingInstance: 'default-scheduler-bench', action: 'Binding', reason: 'Scheduled', regarding: { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: `p-${i}`, uid: `uid-${i}` }, note: `Successfully assigned default/p-${i} to node-0`, type: 'Normal' } }), 201)],
  ];
  // Warm-up, outside the measurement: the JIT, and the pods' and events' watch caches, which a
  // running cluster always has (the scheduler and kubelets watch pods): without them a write's
  // answer is decoded from the store instead of coming from the cache.
  await parallel(200, width, (i) => kinds[0][1](i));
  await expect(client.raw({ method: 'GET', path: podsPath }), 200);
  await expect(client.raw({ method: 'GET', path: eventsPath }), 200);
  process.stdout.write(`load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${n} requests per kind, ${width} in flight, HTTP/2\n| request | apiserver CPU µs/request | requests/s |\n|---|---|---|\n`);
  for (const [name, op] of kinds) {
    const c0 = cpuMs(api.pid);
    const t0 = performance.now();
    await parallel(n, width, op);
    const ms = performance.now() - t0;
    process.stdout.write(`| ${name} | ${Math.round(((cpuMs(api.pid) - c0) * 1000) / n)} | ${Math.round(n / (ms / 1000))} |\n`);
  }
  client.close();
} finally {
  await api.stop();
}
