/**
 * The scheduling queue (upstream internal/queue PriorityQueue): activeQ (highest priority,
 * then oldest, first), backoffQ (pods waiting out 1 s · 2^(attempts-1), at most 10 s), and
 * unschedulable pods, which leave only when a cluster event one of their rejecting plugins
 * cares about happens, or after 5 minutes. A pod that failed while a move event happened
 * during its cycle goes to backoff instead of parking.
 */
import type { ClusterEvent } from './framework/interface.ts';
import { KeyedHeap } from './heap.ts';
import { podPriority } from './types.ts';
import type { RPod } from './types.ts';

/** A pod in the queue with its scheduling history. */
export interface QueuedPodInfo {
  pod: RPod;
  readonly key: string;
  /** When it was (re)added to the active queue: orders equal priorities. */
  timestamp: number;
  attempts: number;
  readonly initialAttemptTimestamp: number;
  /** Plugins that rejected it last time (which events may help). */
  unschedulablePlugins: ReadonlySet<string>;
  backoffExpiry: number;
  /** When it entered the unschedulable set. */
  unschedulableSince: number;
}

/** Queue timings (upstream defaults). */
export interface QueueOptions {
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly maxUnschedulableMs?: number;
  /** Plugin name → events that can cure its rejections. */
  readonly pluginEvents?: ReadonlyMap<string, ReadonlySet<ClusterEvent>>;
  readonly now?: () => number;
}

/** Key of a pod in the queue (its uid; namespace/name if none). */
export function queueKey(pod: RPod): string {
  return pod.metadata.uid ?? `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

/** Active/backoff/unschedulable queues with blocking pop. */
export class SchedulingQueue {
  private readonly active = new KeyedHeap<QueuedPodInfo>((p) => p.key, (a, b) => {
    const pa = podPriority(a.pod);
    const pb = podPriority(b.pod);
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  });
  private readonly backoff = new KeyedHeap<QueuedPodInfo>((p) => p.key, (a, b) => a.backoffExpiry < b.backoffExpiry);
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Popped and not yet done: the latest pod object seen for each. */
  private readonly inFlight = new Map<string, RPod | null>();
  private readonly waiters: ((p: QueuedPodInfo | undefined) => void)[] = [];
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly pluginEvents: ReadonlyMap<string, ReadonlySet<ClusterEvent>>;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Bumped per pop. */
  schedulingCycle = 0;
  private moveRequestCycle = -1;

  constructor(opts: QueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 300_000;
    this.pluginEvents = opts.pluginEvents ?? new Map();
    this.now = opts.now ?? Date.now;
  }

  /** Starts the periodic flushes (backoff every second, unschedulable every 30 s as upstream). */
  run(): void {
    let tick = 0;
    this.timer = setInterval(() => {
      this.flushBackoff();
      if (++tick % 30 === 0) {
        this.flushUnschedulableLeftover();
      }
    }, 1000);
    this.timer.unref();
  }

  /** Stops; pending pop() calls resolve undefined. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const w of this.waiters.splice(0)) {
      w(undefined);
    }
  }

  /** Sizes, for metrics and tests. */
  sizes(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  /** True if the pod is in any queue or in flight. */
  has(pod: RPod): boolean {
    const k = queueKey(pod);
    return this.active.has(k) || this.backoff.has(k) || this.unschedulable.has(k) || this.inFlight.has(k);
  }

  private pushActive(info: QueuedPodInfo): void {
    const w = this.waiters.shift();
    if (w !== undefined) {
      this.schedulingCycle++;
      this.inFlight.set(info.key, null);
      w(info);
      return;
    }
    this.active.push(info);
  }

  /** A new pending pod. */
  add(pod: RPod): void {
    const key = queueKey(pod);
    if (this.inFlight.has(key)) {
      this.inFlight.set(key, pod);
      return;
    }
    if (this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key)) {
      this.update(pod);
      return;
    }
    const now = this.now();
    this.pushActive({ pod, key, timestamp: now, attempts: 0, initialAttemptTimestamp: now, unschedulablePlugins: new Set(), backoffExpiry: 0, unschedulableSince: 0 });
  }

  /** A pending pod changed: update it where it waits; an unschedulable pod whose spec changed gets another try. */
  update(pod: RPod): void {
    const key = queueKey(pod);
    if (this.inFlight.has(key)) {
      this.inFlight.set(key, pod);
      return;
    }
    const a = this.active.get(key);
    if (a !== undefined) {
      a.pod = pod;
      this.active.push(a);
      return;
    }
    const b = this.backoff.get(key);
    if (b !== undefined) {
      b.pod = pod;
      return;
    }
    const u = this.unschedulable.get(key);
    if (u !== undefined) {
      // Status-only writes (our own PodScheduled condition) must not re-trigger scheduling.
      const changed = JSON.stringify(u.pod.spec) !== JSON.stringify(pod.spec) || JSON.stringify(u.pod.metadata.labels) !== JSON.stringify(pod.metadata.labels);
      u.pod = pod;
      if (changed) {
        this.unschedulable.delete(key);
        this.requeue(u);
      }
      return;
    }
    this.add(pod);
  }

  /** The pod is gone (deleted or bound elsewhere). */
  delete(pod: RPod): void {
    const key = queueKey(pod);
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    if (this.inFlight.has(key)) {
      this.inFlight.set(key, null);
    }
  }

  /** Waits for the next pod to schedule; undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) {
      return Promise.resolve(undefined);
    }
    const p = this.active.pop();
    if (p !== undefined) {
      this.schedulingCycle++;
      this.inFlight.set(p.key, null);
      return Promise.resolve(p);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Pops synchronously if a pod is ready (the hot loop avoids a promise per pod). */
  tryPop(): QueuedPodInfo | undefined {
    const p = this.active.pop();
    if (p !== undefined) {
      this.schedulingCycle++;
      this.inFlight.set(p.key, null);
    }
    return p;
  }

  /** The cycle is over for this pod (bound, or re-queued). Returns a newer pod object seen meanwhile, if any. */
  done(key: string): RPod | undefined {
    const latest = this.inFlight.get(key) ?? undefined;
    this.inFlight.delete(key);
    return latest;
  }

  private backoffMs(attempts: number): number {
    return Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.max(0, attempts - 1));
  }

  private requeue(info: QueuedPodInfo): void {
    const now = this.now();
    if (info.backoffExpiry > now) {
      this.backoff.push(info);
    } else {
      info.timestamp = now;
      this.pushActive(info);
    }
  }

  /**
   * After a failed attempt: park the pod as unschedulable (or in backoff if a move event came
   * during its cycle, or if it failed with an error rather than a rejection).
   */
  addUnschedulable(info: QueuedPodInfo, podSchedulingCycle: number, rejected: boolean, latest?: RPod): void {
    if (latest !== undefined) {
      info.pod = latest;
    }
    if (this.closed) {
      return;
    }
    info.attempts++;
    const now = this.now();
    info.backoffExpiry = now + this.backoffMs(info.attempts);
    if (!rejected || this.moveRequestCycle >= podSchedulingCycle) {
      this.backoff.push(info);
      return;
    }
    info.unschedulableSince = now;
    this.unschedulable.set(info.key, info);
  }

  /** A cluster event: unschedulable pods whose rejecting plugins care about it are retried. */
  moveAllToActiveOrBackoff(event: ClusterEvent): void {
    this.moveRequestCycle = this.schedulingCycle;
    for (const [key, info] of this.unschedulable) {
      if (this.relevant(info, event)) {
        this.unschedulable.delete(key);
        this.requeue(info);
      }
    }
  }

  private relevant(info: QueuedPodInfo, event: ClusterEvent): boolean {
    if (info.unschedulablePlugins.size === 0 || event === 'UnschedulableTimeout') {
      return true;
    }
    for (const p of info.unschedulablePlugins) {
      if (this.pluginEvents.get(p)?.has(event) === true) {
        return true;
      }
    }
    return false;
  }

  /** Moves pods whose backoff has expired to the active queue. */
  flushBackoff(): void {
    const now = this.now();
    for (let top = this.backoff.peek(); top !== undefined && top.backoffExpiry <= now; top = this.backoff.peek()) {
      this.backoff.pop();
      top.timestamp = now;
      this.pushActive(top);
    }
  }

  /** Pods unschedulable for longer than the limit get another try. */
  flushUnschedulableLeftover(): void {
    const now = this.now();
    for (const [key, info] of this.unschedulable) {
      if (now - info.unschedulableSince > this.maxUnschedulableMs) {
        this.unschedulable.delete(key);
        this.requeue(info);
      }
    }
  }
}
