/**
 * The API server's Prometheus metrics (upstream names): request counts and latencies per
 * verb/group/version/resource/subresource/code, registered watchers, long-running requests.
 * Each handler owns its own prom-client registry so several servers can share a process.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Labels describing one request, upstream-style (verb is LIST/WATCH/GET/POST/...). */
export interface RequestLabels {
  readonly verb: string;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
}

/** Metrics sink used by the handler. */
export interface ApiMetrics {
  observe(labels: RequestLabels, code: number, seconds: number): void;
  /** Marks a long-running request (watch) started; call the returned function when it ends. */
  longRunning(labels: RequestLabels, kind: string): () => void;
  /** Prometheus text exposition and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Creates the request metrics on `registry` (a fresh one unless shared, e.g. with the store's metrics). */
export function createMetrics(registry: Registry = new Registry()): ApiMetrics {
  const labelNames = ['verb', 'group', 'version', 'resource', 'subresource'] as const;
  const requests = new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, group, version, resource, subresource and HTTP response code.', labelNames: [...labelNames, 'code'], registers: [registry] });
  const duration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, group, version, resource and subresource.',
    labelNames: [...labelNames],
    buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
    registers: [registry],
  });
  const watchers = new Gauge({ name: 'apiserver_registered_watchers', help: 'Number of currently registered watchers for a given resources', labelNames: ['group', 'version', 'kind'], registers: [registry] });
  const longRunning = new Gauge({ name: 'apiserver_longrunning_requests', help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource and subresource.', labelNames: [...labelNames], registers: [registry] });
  const plain = (l: RequestLabels): Record<(typeof labelNames)[number], string> => ({ verb: l.verb, group: l.group, version: l.version, resource: l.resource, subresource: l.subresource });
  return {
    observe(labels, code, seconds) {
      requests.inc({ ...plain(labels), code: String(code) });
      duration.observe(plain(labels), seconds);
    },
    longRunning(labels, kind) {
      longRunning.inc(plain(labels));
      watchers.inc({ group: labels.group, version: labels.version, kind });
      let ended = false;
      return () => {
        if (!ended) {
          ended = true;
          longRunning.dec(plain(labels));
          watchers.dec({ group: labels.group, version: labels.version, kind });
        }
      };
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
