/**
 * Watch streaming: newline-delimited `{"type","object"}` JSON events, headers flushed as soon
 * as the registry watch is registered, each event written at once, ended on client
 * disconnect, server close or timeout. Table / PartialObjectMetadata watches transform
 * each event's object.
 */
import type { Status } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { objectJson } from '../registry/codec.ts';
import type { Registry, WatchEventType, WatchQuery } from '../registry/types.ts';
import { Shape, type Representation } from './negotiate.ts';
import { startStream, writeChunk, type AnyResponse } from './respond.ts';
import { objectTableMeta, partialObjectMetadata, toTable, type IncludeObject } from './transform.ts';

/** Everything a watch needs. */
export interface WatchRequest {
  readonly registry: Registry;
  readonly desc: ResourceDescription;
  readonly namespace: string | undefined;
  readonly query: WatchQuery;
  readonly representation: Representation;
  readonly includeObject: IncludeObject;
  readonly res: AnyResponse;
  /** Upper bound when the client gave no timeoutSeconds (upstream: a random 30–60 minutes). */
  readonly defaultTimeoutSeconds?: number;
}

/** Unsent bytes a watch may queue for a slow client before it is ended. */
const maxBufferedBytes = 32 * 1024 * 1024;

function isStatus(o: KubeObject | Status): o is Status {
  return o.kind === 'Status';
}

/** Encodes one event's object in the negotiated shape. */
function transformEvent(w: WatchRequest, type: WatchEventType, object: KubeObject | Status, first: boolean): unknown {
  if (isStatus(object)) {
    return object;
  }
  const { desc, representation: rep } = w;
  const obj: KubeObject = object.kind === undefined || object.apiVersion === undefined
    ? { ...object, apiVersion: object.apiVersion ?? (desc.group === '' ? desc.version : `${desc.group}/${desc.version}`), kind: object.kind ?? desc.kind }
    : object;
  switch (rep.shape) {
    case Shape.Table:
      if (type === 'BOOKMARK') {
        return { kind: 'Table', apiVersion: `meta.k8s.io/${rep.metaVersion}`, metadata: objectTableMeta(obj), columnDefinitions: null, rows: [] };
      }
      return toTable(desc, [obj], objectTableMeta(obj), { metaVersion: rep.metaVersion, includeObject: w.includeObject, withColumns: first, now: new Date() });
    case Shape.PartialObjectMetadata:
    case Shape.PartialObjectMetadataList:
      return partialObjectMetadata(obj, rep.metaVersion);
    default:
      return obj;
  }
}

/**
 * The last plain-JSON line built for an object (by event type): every watcher of the same
 * event gets the same object from the cache, so the line is built once, not once per watcher.
 */
const lastLines = new WeakMap<KubeObject, { readonly type: WatchEventType; readonly line: string }>();

/** One watch line; plain objects reuse the cache's memoised JSON (same bytes as JSON.stringify). */
function encodeEvent(w: WatchRequest, type: WatchEventType, object: KubeObject | Status, first: boolean): string {
  if (w.representation.shape === Shape.Object && !isStatus(object) && object.kind !== undefined && object.apiVersion !== undefined) {
    const memo = lastLines.get(object);
    if (memo !== undefined && memo.type === type) {
      return memo.line;
    }
    const line = `{"type":${JSON.stringify(type)},"object":${objectJson(object)}}\n`;
    if (Object.isFrozen(object)) {
      // Only shared (frozen) cache objects: a mutable one could change under the memo.
      lastLines.set(object, { type, line });
    }
    return line;
  }
  return `${JSON.stringify({ type, object: transformEvent(w, type, object, first) })}\n`;
}

/**
 * Starts the watch and streams it; resolves when the stream has ended. Rejects (before any
 * byte is written) when the registry refuses the watch, so the caller can answer a Status.
 */
export async function serveWatch(w: WatchRequest): Promise<void> {
  const { res } = w;
  // Events may arrive before registry.watch() resolves (initial events); they wait in `pending`
  // until we know the watch was accepted and the headers are out.
  let state: 'registering' | 'streaming' | 'ended' = 'registering';
  let clientGone = false;
  let serverClosed = false;
  let firstObject = true;
  const pending: string[] = [];
  let stop: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  const finish = (): void => {
    if (state === 'ended') {
      return;
    }
    state = 'ended';
    if (timer !== undefined) {
      clearTimeout(timer);
    }
    stop?.();
    if (!res.writableEnded) {
      res.end();
    }
    resolveDone();
  };
  const onClose = (): void => {
    if (state === 'registering') {
      clientGone = true;
    } else {
      finish();
    }
  };

  res.on('close', onClose);
  // A write racing a vanished client surfaces as an 'error' event; it just ends the watch.
  res.on('error', onClose);
  try {
    stop = await w.registry.watch(w.desc, w.namespace, w.query, {
      event: (type, object) => {
        if (state === 'ended') {
          return;
        }
        const counts = type !== 'BOOKMARK' && type !== 'ERROR';
        const line = encodeEvent(w, type, object, firstObject && counts);
        if (counts) {
          firstObject = false;
        }
        if (state === 'registering') {
          pending.push(line);
        } else {
          writeChunk(res, line);
          // A client that stops reading must not make us buffer without bound (upstream drops such watchers too);
          // ending the watch makes it re-list or re-watch.
          if (((res as { writableLength?: number }).writableLength ?? 0) > maxBufferedBytes) {
            finish();
          }
        }
      },
      close: () => {
        if (state === 'registering') {
          serverClosed = true;
        } else {
          finish();
        }
      },
    });
  } catch (e) {
    res.off('close', onClose);
    res.off('error', onClose);
    throw e;
  }
  if (clientGone) {
    state = 'ended';
    stop();
    return;
  }
  state = 'streaming';
  startStream(res, 200, { 'Content-Type': w.representation.contentType, 'Cache-Control': 'no-cache, private' });
  for (const line of pending.splice(0)) {
    writeChunk(res, line);
  }
  if (serverClosed) {
    finish();
    return done;
  }
  const timeoutSeconds = w.query.timeoutSeconds ?? w.defaultTimeoutSeconds ?? 1800 * (1 + Math.random());
  timer = setTimeout(finish, timeoutSeconds * 1000);
  return done;
}
