import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goFloat } from '../../api/go-float.ts';
import { renderExposition } from './exposition.ts';
import { renderResourceMetrics } from './resource-metrics.ts';

test('floats are written as Go strconv.FormatFloat(v, g, -1, 64)', () => {
  const cases: [number, string][] = [
    [0, '0'], [1, '1'], [-1, '-1'], [4.710169, '4.710169'], [357.35491, '357.35491'], [123456, '123456'],
    [1000000, '1e+06'], [12742656, '1.2742656e+07'], [1616273408, '1.616273408e+09'], [1764147123.456, '1.764147123456e+09'],
    [0.0001, '0.0001'], [0.00001, '1e-05'], [1.5e-7, '1.5e-07'], [1e21, '1e+21'], [1.25e100, '1.25e+100'], [NaN, 'NaN'], [Infinity, '+Inf'],
  ];
  for (const [v, want] of cases) {
    assert.equal(goFloat(v), want, String(v));
  }
});

test('families sorted by name, samples by label values, labels by name and escaped; empty families dropped', () => {
  const text = renderExposition([
    { name: 'zz', help: 'last', type: 'gauge', samples: [{ labels: { pod: 'b', namespace: 'x' }, value: 2, timestampMs: 1700000000123 }, { labels: { pod: 'a"q', namespace: 'x' }, value: 1 }] },
    { name: 'empty', help: 'never', type: 'counter', samples: [] },
    { name: 'aa', help: 'first\nline', type: 'counter', samples: [{ labels: {}, value: 0.5 }] },
  ]);
  assert.equal(text, [
    '# HELP aa first\\nline', '# TYPE aa counter', 'aa 0.5',
    '# HELP zz last', '# TYPE zz gauge', 'zz{namespace="x",pod="a\\"q"} 1', 'zz{namespace="x",pod="b"} 2 1700000000123', '',
  ].join('\n'));
});

test('resource metrics carry upstream names, labels and timestamps', () => {
  const usage = (cpuNanos: bigint, workingSetBytes: number) => ({ cpuNanos, workingSetBytes, timestampMs: 1764147000123 });
  const text = renderResourceMetrics({
    failed: false,
    node: usage(357354910000n, 1616273408),
    pods: [
      { namespace: 'default', name: 'busy', usage: usage(4710169000n, 12742656), containers: [{ name: 'main', startedAtMs: 1764146900500, usage: usage(4700000000n, 12000000) }] },
      { namespace: 'default', name: 'starting', usage: undefined, containers: [] },
    ],
  });
  assert.equal(text, [
    '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
    '# TYPE container_cpu_usage_seconds_total counter',
    'container_cpu_usage_seconds_total{container="main",namespace="default",pod="busy"} 4.7 1764147000123',
    '# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes',
    '# TYPE container_memory_working_set_bytes gauge',
    'container_memory_working_set_bytes{container="main",namespace="default",pod="busy"} 1.2e+07 1764147000123',
    '# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds',
    '# TYPE container_start_time_seconds gauge',
    'container_start_time_seconds{container="main",namespace="default",pod="busy"} 1.7641469005e+09',
    '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds',
    '# TYPE node_cpu_usage_seconds_total counter',
    'node_cpu_usage_seconds_total 357.35491 1764147000123',
    '# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes',
    '# TYPE node_memory_working_set_bytes gauge',
    'node_memory_working_set_bytes 1.616273408e+09 1764147000123',
    '# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds',
    '# TYPE pod_cpu_usage_seconds_total counter',
    'pod_cpu_usage_seconds_total{namespace="default",pod="busy"} 4.710169 1764147000123',
    '# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes',
    '# TYPE pod_memory_working_set_bytes gauge',
    'pod_memory_working_set_bytes{namespace="default",pod="busy"} 1.2742656e+07 1764147000123',
    '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
    '# TYPE resource_scrape_error gauge',
    'resource_scrape_error 0',
    '',
  ].join('\n'));
});
