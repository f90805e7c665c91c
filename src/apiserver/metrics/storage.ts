/**
 * Store latency metrics with upstream's names (`etcd_request_duration_seconds`,
 * `etcd_requests_total`, labelled by operation and resource type) for either backend:
 * a Storage wrapper, so the backends stay free of metrics code.
 */
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Storage } from '../../storage/interface.ts';

/** `/registry/pods/default/x` → `pods`; CRDs' `/registry/example.com/widgets/...` → `widgets.example.com`. */
export function storageType(key: string): string {
  const parts = key.split('/');
  const first = parts[2] ?? '';
  return first.includes('.') && parts.length > 3 && parts[3] !== '' ? `${parts[3]}.${first}` : first;
}

/** Wraps `storage` so that every call is timed into `registry`. */
export function instrumentStorage(storage: Storage, registry: Registry): Storage {
  const duration = new Histogram({
    name: 'etcd_request_duration_seconds',
    help: 'Etcd request latency in seconds for each operation and object type.',
    labelNames: ['operation', 'type'],
    buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
    registers: [registry],
  });
  const total = new Counter({ name: 'etcd_requests_total', help: 'Etcd request counts for each operation and object type.', labelNames: ['operation', 'type'], registers: [registry] });
  const timed = async <T>(operation: string, key: string, call: () => Promise<T>): Promise<T> => {
    const labels = { operation, type: storageType(key) };
    const end = duration.startTimer(labels);
    try {
      return await call();
    } finally {
      end();
      total.inc(labels);
    }
  };
  return {
    get: (key) => timed('get', key, () => storage.get(key)),
    list: (prefix, opts) => timed('listWithCount', prefix, () => storage.list(prefix, opts)),
    count: (prefix) => timed('count', prefix, () => storage.count(prefix)),
    create: (key, value, opts) => timed('create', key, () => storage.create(key, value, opts)),
    update: (key, value, rev, opts) => timed('update', key, () => storage.update(key, value, rev, opts)),
    delete: (key, rev) => timed('delete', key, () => storage.delete(key, rev)),
    watch: (prefix, from, cb) => storage.watch(prefix, from, cb),
    currentRevision: () => storage.currentRevision(),
    compactedRevision: () => storage.compactedRevision(),
    compact: (rev) => timed('compact', '/registry/', () => storage.compact(rev)),
    close: () => storage.close(),
  };
}
