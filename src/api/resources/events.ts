/**
 * Conversion between core/v1 Event and events.k8s.io/v1 Event, which upstream stores in
 * one place (`/registry/events`) and serves under both groups: field renames only.
 */
import type { KubeObject } from '../object.ts';

/** core/v1 field → events.k8s.io/v1 field. */
const renames: readonly (readonly [string, string])[] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
];

/** Fields both versions name alike. */
const shared = ['eventTime', 'series', 'related', 'action', 'reason', 'type', 'reportingInstance'] as const;

function convert(obj: KubeObject, pairs: readonly (readonly [string, string])[], apiVersion: string): KubeObject {
  const out: KubeObject = { apiVersion, kind: 'Event', metadata: obj.metadata };
  for (const key of shared) {
    if (obj[key] !== undefined) {
      out[key] = obj[key];
    }
  }
  for (const [from, to] of pairs) {
    if (obj[from] !== undefined) {
      out[to] = obj[from];
    }
  }
  return out;
}

/** A core/v1 Event as events.k8s.io/v1 serves it (regarding, note, deprecated* fields). */
export function coreEventToEventsV1(obj: KubeObject): KubeObject {
  return convert(obj, renames, 'events.k8s.io/v1');
}

/** An events.k8s.io/v1 Event in its core/v1 (stored) shape. */
export function eventsV1ToCoreEvent(obj: KubeObject): KubeObject {
  return convert(obj, renames.map(([core, v1]) => [v1, core] as const), 'v1');
}
