/**
 * Per-pod resource samples from the resource metrics API (metrics.k8s.io/v1beta1 PodMetrics), as
 * upstream's REST metrics client reads them: a pod's usage is the sum of its containers' (or one
 * container's, for ContainerResource metrics), in milli-units.
 */
import { isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { tryParseQuantity } from '../../api/quantity.ts';
import type { RestClient } from '../../client/index.ts';
import { parseGoDuration } from '../manager/options.ts';
import type { PodSample } from './replicas.ts';

interface PodMetrics extends KubeObject {
  readonly timestamp?: string;
  readonly window?: string;
  readonly containers?: readonly { readonly name: string; readonly usage?: Readonly<Record<string, string>> }[];
}

const PODS_METRICS = { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods' } as const;

/** Thrown when the cluster serves no resource metrics API (upstream: no metrics-server). */
export class NoMetricsApiError extends Error {}

/** Samples of resource (optionally one container) for the pods of namespace matching selector, by pod name. */
export async function podSamples(client: RestClient, namespace: string, selector: string, resource: string, container?: string): Promise<Map<string, PodSample>> {
  let items: readonly PodMetrics[];
  try {
    items = (await client.list<PodMetrics>({ ...PODS_METRICS, namespace }, selector === '' ? {} : { labelSelector: selector })).items;
  } catch (e) {
    if (isNotFound(e)) {
      throw new NoMetricsApiError((e as Error).message);
    }
    throw e;
  }
  const out = new Map<string, PodSample>();
  for (const m of items) {
    let milli = 0;
    let found = false;
    for (const c of m.containers ?? []) {
      if (container !== undefined && c.name !== container) {
        continue;
      }
      const q = tryParseQuantity(c.usage?.[resource]);
      if (q !== undefined) {
        milli += q.milliValue();
        found = true;
      }
    }
    if (!found) {
      continue;
    }
    const timestampMs = Date.parse(m.timestamp ?? '');
    let windowMs = 0;
    try {
      windowMs = parseGoDuration(m.window ?? '0');
    } catch {
      windowMs = 0;
    }
    out.set(m.metadata.name ?? '', { milli, timestampMs: Number.isNaN(timestampMs) ? 0 : timestampMs, windowMs });
  }
  return out;
}
