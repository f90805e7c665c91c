/**
 * Event recorder (client-go tools/record): writes core/v1 Events without blocking the caller
 * (bounded queue, drops with a log when full). Like upstream's EventCorrelator it rate-limits
 * per object (spam filter: burst 25, then one per 5 min), folds more than 10 distinct messages
 * with the same object+reason within 10 min into one "(combined from similar events)" event,
 * and turns repeats of the same object+reason+message into a PATCH of count/lastTimestamp.
 */
import { hostname } from 'node:os';
import { isAlreadyExists, isNotFound, StatusError } from '../api/errors.ts';
import type { DeepReadonly, KubeObject } from '../api/object.ts';
import { stderrLogger } from './log.ts';
import type { ClientLogger } from './log.ts';
import { pathFor } from './paths.ts';
import { PatchType } from './rest.ts';
import type { RestClient } from './rest.ts';
import { TokenBucket } from './tokenbucket.ts';

/** core/v1 ObjectReference: what an Event is about. */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** Event types. */
export const EventType = { Normal: 'Normal', Warning: 'Warning' } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** The core/v1 Event fields the recorder writes. */
export interface CoreEvent extends KubeObject {
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: EventType;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  reportingComponent: string;
  reportingInstance: string;
}

/** Recorder settings. */
export interface EventRecorderOptions {
  readonly client: RestClient;
  /** source.component / reportingComponent, e.g. `default-scheduler`, `kubelet`. */
  readonly component: string;
  /** source.host (default: this machine's hostname). */
  readonly host?: string;
  /** Pending writes kept before dropping (default 1000, like upstream). */
  readonly queueSize?: number;
  readonly logger?: ClientLogger;
}

const eventsResource = { group: '', version: 'v1', resource: 'events' } as const;
const MAX_LRU = 4096;
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;

/** RFC 3339 with seconds, as metav1.Time serialises. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A Map used as an LRU (insertion order refreshed on touch). */
class Lru<V> {
  private readonly map = new Map<string, V>();
  get(k: string): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > MAX_LRU) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }
}

interface Seen {
  name: string;
  count: number;
  firstTimestamp: string;
}

/** Records Events for one component; event() never blocks or throws. */
export class EventRecorder {
  private readonly opts: EventRecorderOptions;
  private readonly host: string;
  private readonly logger: ClientLogger;
  private readonly queue: CoreEvent[] = [];
  private readonly spam = new Lru<TokenBucket>();
  private readonly similar = new Lru<{ messages: Set<string>; last: number }>();
  private readonly seen = new Lru<Seen>();
  private draining: Promise<void> | undefined;
  private stopped = false;

  constructor(opts: EventRecorderOptions) {
    this.opts = opts;
    this.host = opts.host ?? hostname();
    this.logger = opts.logger ?? stderrLogger;
  }

  /** Records an event about `obj` (an object or an ObjectReference); queued, written in the background. */
  event(obj: KubeObject | DeepReadonly<KubeObject> | ObjectReference, type: EventType, reason: string, message: string): void {
    if (this.stopped) {
      return;
    }
    const ref = refOf(obj);
    const now = new Date();
    const ts = rfc3339(now);
    const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor((performance.now() % 1) * 1_000_000));
    const ev: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${ref.name ?? ''}.${nanos.toString(16)}`, namespace: ref.namespace !== undefined && ref.namespace !== '' ? ref.namespace : 'default' },
      involvedObject: ref,
      reason,
      message,
      type,
      source: { component: this.opts.component, host: this.host },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: this.opts.component,
      reportingInstance: this.host,
    };
    if (this.queue.length >= (this.opts.queueSize ?? 1000)) {
      this.logger('warning', `events: queue full, dropping event ${type} ${reason} for ${ref.kind ?? ''} ${ref.namespace ?? ''}/${ref.name ?? ''}: ${message}`);
      return;
    }
    this.queue.push(ev);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves once every queued event has been written (or given up on). */
  async flush(): Promise<void> {
    while (this.draining !== undefined) {
      await this.draining;
    }
  }

  /** Stops accepting events and waits for the queue to drain. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  private async drain(): Promise<void> {
    for (let ev = this.queue.shift(); ev !== undefined; ev = this.queue.shift()) {
      try {
        await this.record(ev);
      } catch (e) {
        this.logger('warning', `events: unable to write event ${ev.metadata.namespace}/${ev.metadata.name}: ${(e as Error).message}`);
      }
    }
  }

  /**
   * Upstream's EventCorrelator order: aggregate similar events, observe (count repeats; the
   * count advances even for events the spam filter then drops), spam-filter, then write.
   */
  private async record(ev: CoreEvent): Promise<void> {
    const o = ev.involvedObject;
    const spamKey = [ev.source.component, ev.source.host ?? '', o.kind, o.namespace, o.name, o.uid, o.apiVersion].join('\u0000');
    const aggregateKey = [spamKey, ev.type, ev.reason, ev.reportingComponent, ev.reportingInstance].join('\u0000');
    const now = performance.now();
    let group = this.similar.get(aggregateKey);
    if (group === undefined || now - group.last > AGGREGATE_INTERVAL_MS) {
      group = { messages: new Set(), last: now };
    }
    group.messages.add(ev.message);
    group.last = now;
    this.similar.set(aggregateKey, group);
    let dedupeKey = [spamKey, o.fieldPath, ev.type, ev.reason, ev.message].join('\u0000');
    if (group.messages.size >= AGGREGATE_MAX_EVENTS) {
      // Keep the set just under the threshold so every further distinct message aggregates too.
      group.messages.delete(group.messages.values().next().value as string);
      ev.message = `(combined from similar events): ${ev.message}`;
      dedupeKey = aggregateKey;
    }
    const prior = this.seen.get(dedupeKey);
    if (prior !== undefined) {
      ev.metadata.name = prior.name;
      ev.count = prior.count + 1;
      ev.firstTimestamp = prior.firstTimestamp;
    }
    this.seen.set(dedupeKey, { name: ev.metadata.name ?? '', count: ev.count, firstTimestamp: ev.firstTimestamp });

    let bucket = this.spam.get(spamKey);
    if (bucket === undefined) {
      bucket = new TokenBucket(1 / 300, 25);
      this.spam.set(spamKey, bucket);
    }
    if (!bucket.tryTake()) {
      this.logger('info', `events: spam filter dropped ${ev.reason} for ${o.namespace ?? ''}/${o.name ?? ''}`);
      return;
    }
    if (prior !== undefined) {
      try {
        await this.write(() =>
          this.opts.client.requestWithoutResult({
            method: 'PATCH',
            path: pathFor({ ...eventsResource, namespace: ev.metadata.namespace, name: prior.name }),
            body: { count: ev.count, lastTimestamp: ev.lastTimestamp, message: ev.message },
            contentType: PatchType.StrategicMerge,
          }),
        );
        return;
      } catch (e) {
        if (!isNotFound(e)) {
          throw e;
        }
        // The Event expired or was deleted: create it again, keeping the count.
      }
    }
    // The server's answer is not read: the recorder keeps what it needs (name, count) itself.
    await this.write(() => this.opts.client.requestWithoutResult({ method: 'POST', path: pathFor({ ...eventsResource, namespace: ev.metadata.namespace }), body: ev }));
  }

  /** A few retries for transient failures; the object's problems (exists, invalid, forbidden) are final. */
  private async write(fn: () => Promise<unknown>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await fn();
        return;
      } catch (e) {
        const final = isAlreadyExists(e) || isNotFound(e) || (e instanceof StatusError && e.code >= 400 && e.code < 500 && e.code !== 429);
        if (final || attempt >= 2 || this.stopped) {
          throw e;
        }
        await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      }
    }
  }
}

/** The ObjectReference for an object (kind/apiVersion from its TypeMeta), or the reference itself. */
export function refOf(obj: KubeObject | DeepReadonly<KubeObject> | ObjectReference): ObjectReference {
  if ('metadata' in obj && typeof obj.metadata === 'object' && obj.metadata !== null) {
    const m = obj.metadata as KubeObject['metadata'];
    // Same field order as the ObjectReference literal; unset and empty fields left out.
    const ref: ObjectReference = {};
    const put = (k: keyof ObjectReference, v: string | undefined): void => {
      if (v !== undefined && v !== '') {
        ref[k] = v;
      }
    };
    put('kind', obj.kind as string | undefined);
    put('namespace', m.namespace);
    put('name', m.name);
    put('uid', m.uid);
    put('apiVersion', obj.apiVersion as string | undefined);
    put('resourceVersion', m.resourceVersion);
    return ref;
  }
  return { ...(obj as ObjectReference) };
}
