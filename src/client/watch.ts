/**
 * Watch streams: newline-delimited JSON `{type, object}` events over one long response.
 * ERROR events become thrown StatusErrors (410 → GoneError); a server close ends the
 * iteration cleanly; stop() ends it cleanly too.
 */
import type { Readable } from 'node:stream';
import type { KubeObject } from '../api/object.ts';
import { pathFor } from './paths.ts';
import type { ResourceRef } from './paths.ts';
import type { RestClient } from './rest.ts';
import { statusToError } from './status.ts';

/** Event types a watch delivers to callers (ERROR is thrown instead). */
export const WatchEventType = { Added: 'ADDED', Modified: 'MODIFIED', Deleted: 'DELETED', Bookmark: 'BOOKMARK' } as const;
export type WatchEventType = (typeof WatchEventType)[keyof typeof WatchEventType];

/** One decoded watch event. */
export interface WatchEvent<T extends KubeObject = KubeObject> {
  readonly type: WatchEventType;
  readonly object: T;
}

/** Watch query options (metav1.ListOptions with watch=true). */
export interface WatchOptions {
  readonly resourceVersion?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly allowWatchBookmarks?: boolean;
  /** WatchList: the server first replays the current state, then a bookmark marked `k8s.io/initial-events-end`. */
  readonly sendInitialEvents?: boolean;
  readonly timeoutSeconds?: number;
}

/** Annotation on the bookmark that ends a WatchList's initial events. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

function parseLine<T extends KubeObject>(line: string): WatchEvent<T> {
  const ev = JSON.parse(line) as { type?: unknown; object?: unknown };
  if (ev.type === 'ERROR') {
    throw statusToError(ev.object);
  }
  if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED' && ev.type !== 'BOOKMARK') {
    throw new Error(`watch: unknown event type ${JSON.stringify(ev.type)}`);
  }
  if (typeof ev.object !== 'object' || ev.object === null) {
    throw new Error('watch: event without object');
  }
  return { type: ev.type, object: ev.object as T };
}

/**
 * Decodes newline-delimited watch events from a byte stream; ERROR events throw. Lines are cut
 * on the bytes (a newline byte never occurs inside a UTF-8 sequence) and each complete line is
 * decoded once: no string for the whole chunk, no re-copy of a partial line per chunk.
 */
export async function* decodeWatchEvents<T extends KubeObject = KubeObject>(body: AsyncIterable<Buffer | string>): AsyncGenerator<WatchEvent<T>> {
  // The start of a line whose end has not arrived yet, in pieces.
  let partial: Buffer[] = [];
  for await (const piece of body) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    let start = 0;
    let nl = chunk.indexOf(NEWLINE);
    while (nl >= 0) {
      let line: string;
      if (partial.length > 0) {
        partial.push(chunk.subarray(start, nl));
        line = Buffer.concat(partial).toString('utf8');
        partial = [];
      } else {
        line = chunk.toString('utf8', start, nl);
      }
      start = nl + 1;
      const event = parseNonBlank<T>(line);
      if (event !== undefined) {
        yield event;
      }
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      partial.push(chunk.subarray(start));
    }
  }
  if (partial.length > 0) {
    const event = parseNonBlank<T>(Buffer.concat(partial).toString('utf8'));
    if (event !== undefined) {
      yield event;
    }
  }
}

const NEWLINE = 0x0a;

function parseNonBlank<T extends KubeObject>(line: string): WatchEvent<T> | undefined {
  // trim() returns the same string when there is nothing to cut (the usual case).
  const text = line.trim();
  return text === '' ? undefined : parseLine<T>(text);
}

/** An open watch: iterate it for events; stop() aborts the request and ends the iteration without error. */
export class Watch<T extends KubeObject = KubeObject> implements AsyncIterable<WatchEvent<T>> {
  private readonly controller: AbortController;
  private readonly body: Readable;

  private constructor(controller: AbortController, body: Readable) {
    this.controller = controller;
    this.body = body;
  }

  /** Opens `GET <collection>?watch=true&…` and resolves once the server answered 200. */
  static async open<T extends KubeObject = KubeObject>(client: RestClient, ref: ResourceRef, opts: WatchOptions = {}, signal?: AbortSignal): Promise<Watch<T>> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    if (signal?.aborted === true) {
      onAbort();
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const body = await client.stream({
        method: 'GET',
        path: pathFor({ ...ref, name: undefined, subresource: undefined }),
        query: {
          watch: true,
          resourceVersion: opts.resourceVersion,
          resourceVersionMatch: opts.sendInitialEvents === true ? 'NotOlderThan' : undefined,
          sendInitialEvents: opts.sendInitialEvents,
          allowWatchBookmarks: opts.allowWatchBookmarks,
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
          timeoutSeconds: opts.timeoutSeconds,
        },
        signal: controller.signal,
      });
      body.once('close', () => signal?.removeEventListener('abort', onAbort));
      return new Watch<T>(controller, body);
    } catch (e) {
      signal?.removeEventListener('abort', onAbort);
      throw e;
    }
  }

  /** True once stop() was called (or the caller's signal aborted). */
  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  /** Ends the watch: closes the connection; a pending iteration finishes without error. */
  stop(): void {
    this.controller.abort();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<T>> {
    try {
      for await (const ev of decodeWatchEvents<T>(this.body)) {
        if (this.stopped) {
          return;
        }
        yield ev;
      }
    } catch (e) {
      if (this.stopped) {
        return;
      }
      throw e;
    } finally {
      this.body.destroy();
    }
  }
}
