/**
 * In-process watch fan-out for the SQLite backend. A watcher subscribes first, then replays
 * the log from its revision; live events that arrive meanwhile are buffered and those the
 * replay already covered are dropped, so each revision is delivered exactly once, in order.
 */
import { StorageError, StorageErrorCode } from '../interface.ts';
import type { WatchCallbacks, WatchEvent, WatchHandle } from '../interface.ts';
import { hasPrefix } from '../keys.ts';

/** Reads the log for replay: events under prefix with revision > after, oldest first, at most limit. */
export interface ReplaySource {
  replay(prefix: string, after: number, limit: number): WatchEvent[];
  compactedRevision(): number;
}

const replayChunk = 500;

function revisionOf(ev: WatchEvent): number {
  return ev.type === 'put' ? ev.kv.modRevision : ev.revision;
}

function keyOf(ev: WatchEvent): string {
  return ev.type === 'put' ? ev.kv.key : ev.key;
}

class Subscriber {
  readonly prefix: string;
  readonly cb: WatchCallbacks;
  /** Highest revision delivered (or covered by replay). */
  delivered: number;
  live = false;
  done = false;
  buffer: WatchEvent[] = [];

  constructor(prefix: string, from: number, cb: WatchCallbacks) {
    this.prefix = prefix;
    this.delivered = from;
    this.cb = cb;
  }

  /** Hands events newer than what was delivered to the callback. */
  deliver(events: readonly WatchEvent[]): void {
    const fresh = events.filter((e) => revisionOf(e) > this.delivered);
    if (fresh.length === 0 || this.done) {
      return;
    }
    this.delivered = revisionOf(fresh[fresh.length - 1]);
    try {
      this.cb.onEvents(fresh);
    } catch (err) {
      // A broken consumer must not break the writer or other watchers.
      process.emitWarning(`storage watch callback threw: ${String(err)}`);
    }
  }

  fail(err: StorageError): void {
    if (this.done) {
      return;
    }
    this.done = true;
    this.buffer = [];
    try {
      this.cb.onError(err);
    } catch (cbErr) {
      process.emitWarning(`storage watch error callback threw: ${String(cbErr)}`);
    }
  }
}

/** Watchers of one store; publish() is called right after each commit. */
export class WatchHub {
  readonly #source: ReplaySource;
  readonly #subs = new Set<Subscriber>();

  constructor(source: ReplaySource) {
    this.#source = source;
  }

  /** Starts a watch; events and errors are delivered asynchronously (never inside this call). */
  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): WatchHandle {
    const sub = new Subscriber(prefix, fromRevision, cb);
    this.#subs.add(sub);
    setImmediate(() => {
      void this.#replay(sub);
    });
    return {
      cancel: () => {
        sub.done = true;
        sub.buffer = [];
        this.#subs.delete(sub);
      },
    };
  }

  /** Fans a committed batch out (events in revision order). */
  publish(events: readonly WatchEvent[]): void {
    for (const sub of this.#subs) {
      const mine = events.filter((e) => hasPrefix(keyOf(e), sub.prefix));
      if (mine.length === 0) {
        continue;
      }
      if (sub.live) {
        sub.deliver(mine);
      } else {
        sub.buffer.push(...mine);
      }
    }
  }

  /** Ends every watch (store closing). */
  closeAll(): void {
    for (const sub of this.#subs) {
      sub.fail(new StorageError(StorageErrorCode.Unavailable, sub.prefix, 'storage closed'));
    }
    this.#subs.clear();
  }

  async #replay(sub: Subscriber): Promise<void> {
    for (;;) {
      if (sub.done) {
        return;
      }
      const compacted = this.#source.compactedRevision();
      if (sub.delivered < compacted) {
        this.#subs.delete(sub);
        sub.fail(
          new StorageError(
            StorageErrorCode.Compacted,
            sub.prefix,
            `required revision ${sub.delivered} has been compacted (compacted revision ${compacted})`,
            compacted,
          ),
        );
        return;
      }
      let events: WatchEvent[];
      try {
        events = this.#source.replay(sub.prefix, sub.delivered, replayChunk);
      } catch (err) {
        this.#subs.delete(sub);
        sub.fail(new StorageError(StorageErrorCode.Unavailable, sub.prefix, `watch replay failed: ${String(err)}`));
        return;
      }
      sub.deliver(events);
      if (events.length < replayChunk) {
        break;
      }
      // Long replays yield so writers keep going; their events are buffered meanwhile.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (sub.done) {
      return;
    }
    const buffered = sub.buffer;
    sub.buffer = [];
    sub.live = true;
    sub.deliver(buffered);
  }
}
