import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeResourceMetrics, parseExposition } from './decode.ts';
import type { ContainerPoint, NodeBatch } from './decode.ts';
import { goDuration, metricsTable, nodeMetricsObject, usageList } from './objects.ts';
import { parseMetricsPath } from './serve.ts';
import { scrapeTarget } from './scraper.ts';
import { MetricsStore, usageBetween } from './store.ts';

const kubeletText = (cpuSeconds: number, ts: number, start = 1764146000.5): string => [
  '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
  '# TYPE container_cpu_usage_seconds_total counter',
  `container_cpu_usage_seconds_total{container="main",namespace="default",pod="busy"} ${cpuSeconds} ${ts}`,
  `container_cpu_usage_seconds_total{container="side",namespace="default",pod="pair"} 1 ${ts}`,
  `container_memory_working_set_bytes{container="main",namespace="default",pod="busy"} 1.2742656e+07 ${ts}`,
  `container_memory_working_set_bytes{container="side",namespace="default",pod="pair"} 4096 ${ts}`,
  `container_memory_working_set_bytes{container="other",namespace="default",pod="pair"} 4096 ${ts}`,
  `container_start_time_seconds{container="main",namespace="default",pod="busy"} ${start}`,
  `node_cpu_usage_seconds_total 357.35491 ${ts}`,
  `node_memory_working_set_bytes 1.616273408e+09 ${ts}`,
  'resource_scrape_error 0',
  '',
].join('\n');

test('the text format parser reads names, escaped labels, Go floats and timestamps', () => {
  const samples = parseExposition('# HELP x y\nx{a="q\\"uote",b="line\\nbreak"} 1.5e+07 1700000000123\ny NaN\nz +Inf\n');
  assert.deepEqual(samples[0], { name: 'x', labels: { a: 'q"uote', b: 'line\nbreak' }, value: 15000000, timestampMs: 1700000000123 });
  assert.ok(Number.isNaN(samples[1].value));
  assert.equal(samples[2].value, Infinity);
  assert.throws(() => parseExposition('x{a="1"} notanumber\n'));
  assert.throws(() => parseExposition('x{a="1",b=2} 1\n'), /bad labels/);
});

test('decode keeps complete points and drops a pod whose container lacks CPU (metrics-server)', () => {
  const b = decodeResourceMetrics(kubeletText(4.7, 1764147000123), 1);
  assert.deepEqual(b.node, { timestampMs: 1764147000123, cpuNanos: 357354910000, memoryBytes: 1616273408 });
  assert.deepEqual([...b.pods.keys()], ['default/busy']);
  const main = b.pods.get('default/busy')?.get('main');
  assert.equal(main?.cpuNanos, 4.7e9);
  assert.equal(main?.memoryBytes, 12742656);
  assert.equal(main?.startTimeMs, 1764146000500);
  // Without timestamps the scrape time stands in.
  assert.equal(decodeResourceMetrics('node_cpu_usage_seconds_total 1\nnode_memory_working_set_bytes 2\n', 42).node?.timestampMs, 42);
});

test('CPU is the rate between two points in nanocores; memory the newer working set', () => {
  const u = usageBetween({ timestampMs: 1000, cpuNanos: 1e9, memoryBytes: 10 }, { timestampMs: 16000, cpuNanos: 8.5e9, memoryBytes: 20 });
  assert.deepEqual(u, { nanocores: 500000000n, memoryBytes: 20n, timestampMs: 16000, windowMs: 15000 });
  assert.equal(usageBetween({ timestampMs: 1000, cpuNanos: 2e9, memoryBytes: 1 }, { timestampMs: 2000, cpuNanos: 1e9, memoryBytes: 1 }), undefined);
  assert.deepEqual(usageList({ nanocores: 500000000n, memoryBytes: 12742656n }), { cpu: '500m', memory: '12444Ki' });
  assert.deepEqual(usageList({ nanocores: 1234567n, memoryBytes: 12742657n }), { cpu: '1234567n', memory: '12742657' });
});

const batch = (nodeCpu: number, ts: number, containers: Record<string, Partial<ContainerPoint>>): ReadonlyMap<string, NodeBatch> => new Map([
  ['n1', {
    node: { timestampMs: ts, cpuNanos: nodeCpu, memoryBytes: 100 },
    pods: new Map([['default/p', new Map(Object.entries(containers).map(([k, v]) => [k, { timestampMs: ts, cpuNanos: 1, memoryBytes: 1, startTimeMs: 1, ...v }]))]]),
  }],
]);

test('a node and a pod appear only with two points of every container; a restart starts over', () => {
  const store = new MetricsStore(15000);
  store.store(batch(1e9, 100000, { a: { cpuNanos: 1e9 } }));
  assert.equal(store.nodeUsage('n1'), undefined);
  assert.equal(store.podUsage('default', 'p'), undefined);
  store.store(batch(3e9, 102000, { a: { cpuNanos: 2e9 }, b: { cpuNanos: 5 } }));
  assert.equal(store.nodeUsage('n1')?.nanocores, 1000000000n);
  // Container b has a single point: the pod is not served yet.
  assert.equal(store.podUsage('default', 'p'), undefined);
  store.store(batch(4e9, 104000, { a: { cpuNanos: 3e9 }, b: { cpuNanos: 2e8 } }));
  const pod = store.podUsage('default', 'p');
  assert.equal(pod?.containers.get('a')?.nanocores, 500000000n);
  assert.equal(pod?.containers.get('b')?.nanocores, 99999997n);
  assert.equal(pod?.windowMs, 2000);
  assert.equal(pod?.timestampMs, 104000);
  // b restarted (start time after the stored point): its counter began again, so no rate yet.
  store.store(batch(5e9, 106000, { a: { cpuNanos: 4e9 }, b: { cpuNanos: 1e8, startTimeMs: 105000 } }));
  assert.equal(store.podUsage('default', 'p'), undefined);
  // Nodes and pods missing from a round are gone.
  store.store(new Map());
  assert.equal(store.nodeUsage('n1'), undefined);
});

test('a container started between 10 s and one resolution ago is rated from its start (metrics-server fresh containers)', () => {
  const store = new MetricsStore(60000);
  store.store(batch(1, 100000, { a: { cpuNanos: 2e9, startTimeMs: 80000 } }));
  assert.equal(store.podUsage('default', 'p')?.containers.get('a')?.nanocores, 100000000n);
  assert.equal(store.podUsage('default', 'p')?.windowMs, 20000);
});

test('NodeMetrics carries labels, timestamp and window in Go duration form', () => {
  assert.equal(goDuration(15012), '15.012s');
  assert.equal(goDuration(15000), '15s');
  assert.equal(goDuration(60500), '1m0.5s');
  assert.equal(goDuration(800), '800ms');
  const o = nodeMetricsObject('n1', { a: 'b' }, { nanocores: 250000000n, memoryBytes: 1048576n, timestampMs: Date.UTC(2026, 10, 26, 8, 0, 0, 500), windowMs: 15012 }, false);
  assert.equal(o.kind, 'NodeMetrics');
  assert.equal(o.apiVersion, 'metrics.k8s.io/v1beta1');
  assert.deepEqual((o.metadata as { labels: unknown }).labels, { a: 'b' });
  assert.equal(o.timestamp, '2026-11-26T08:00:00Z');
  assert.equal(o.window, '15.012s');
  assert.deepEqual(o.usage, { cpu: '250m', memory: '1Mi' });
  assert.equal(nodeMetricsObject('n1', undefined, { nanocores: 0n, memoryBytes: 0n, timestampMs: 0, windowMs: 1 }, true).kind, undefined);
});

test('paths inside metrics.k8s.io', () => {
  assert.equal(parseMetricsPath('/apis/apps/v1'), undefined);
  assert.equal(parseMetricsPath('/apis/metrics.k8s.iox'), undefined);
  assert.deepEqual(parseMetricsPath('/apis/metrics.k8s.io'), { resource: undefined, document: 'group', namespace: undefined, name: undefined });
  assert.deepEqual(parseMetricsPath('/apis/metrics.k8s.io/v1beta1/nodes/n1'), { resource: 'nodes', namespace: undefined, name: 'n1' });
  assert.deepEqual(parseMetricsPath('/apis/metrics.k8s.io/v1beta1/pods'), { resource: 'pods', namespace: undefined, name: undefined });
  assert.deepEqual(parseMetricsPath('/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods/p'), { resource: 'pods', namespace: 'ns', name: 'p' });
  assert.throws(() => parseMetricsPath('/apis/metrics.k8s.io/v1/nodes'), /could not find the requested resource/);
  assert.throws(() => parseMetricsPath('/apis/metrics.k8s.io/v1beta1/namespaces/ns/deployments'), /could not find/);
});

test('only Ready nodes with a kubelet port and an InternalIP are scraped (simulated nodes are not)', () => {
  const node = (port: number, ready: string, addresses: { type: string; address: string }[]) => ({
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' },
    status: { addresses, daemonEndpoints: { kubeletEndpoint: { Port: port } }, conditions: [{ type: 'Ready', status: ready }] },
  });
  const ip = [{ type: 'InternalIP', address: '10.0.0.5' }, { type: 'Hostname', address: 'n' }];
  assert.deepEqual(scrapeTarget(node(10250, 'True', ip)), { nodeName: 'n', host: '10.0.0.5', port: 10250 });
  assert.equal(scrapeTarget(node(0, 'True', ip)), undefined);
  assert.equal(scrapeTarget(node(10250, 'Unknown', ip)), undefined);
  assert.equal(scrapeTarget(node(10250, 'True', [{ type: 'Hostname', address: 'n' }])), undefined);
  assert.equal(scrapeTarget({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'sim' } }), undefined);
});

test('the Table sums a pod\'s containers: Name, cpu, memory, Window', () => {
  const pod = { metadata: { name: 'p', namespace: 'd' }, window: '15s', containers: [{ name: 'a', usage: { cpu: '250m', memory: '1Mi' } }, { name: 'b', usage: { cpu: '500000n', memory: '1024' } }] };
  const t = metricsTable([pod], 'v1', (o) => ({ kind: 'PartialObjectMetadata', metadata: o.metadata }));
  assert.deepEqual((t.columnDefinitions as { name: string }[]).map((c) => c.name), ['Name', 'cpu', 'memory', 'Window']);
  assert.deepEqual(t.rows, [{ cells: ['p', '250500u', '1025Ki', '15s'], object: { kind: 'PartialObjectMetadata', metadata: { name: 'p', namespace: 'd' } } }]);
  const node = { metadata: { name: 'n' }, window: '1m0.5s', usage: { cpu: '2', memory: '0' } };
  assert.deepEqual((metricsTable([node], 'v1', () => undefined).rows as unknown[])[0], { cells: ['n', '2', '0', '1m0.5s'] });
});
