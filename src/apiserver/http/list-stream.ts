/**
 * Large JSON lists streamed: the list's envelope, then its items' memoised JSON in batches of
 * about a megabyte, each written only once the previous batch has drained (backpressure), so a
 * 100k-object list never becomes one giant string or buffer. Small lists keep a single body
 * with a Content-Length. Both are gzipped (level 1) past 128 KiB for clients that accept gzip, as upstream.
 */
import type { KubeObject } from '../../api/object.ts';
import { listJson, listJsonEnvelope, objectJson } from '../registry/codec.ts';
import { acceptsGzip, gzipped, gzipThresholdBytes, send, startStream, type AnyResponse } from './respond.ts';

/** Lists with fewer items go out as one body with a Content-Length. */
const streamFromItems = 1000;
/** Bytes gathered before a write. */
const batchBytes = 1 << 20;

interface Writable {
  write(chunk: Buffer, done?: (err?: Error | null) => void): boolean;
  end(): unknown;
  once(event: string, fn: () => void): unknown;
  off(event: string, fn: () => void): unknown;
  readonly destroyed?: boolean;
}

/** Resolves once the response can take more (or is gone: then false). */
function drained(res: Writable): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => (): void => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      res.off('error', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
    res.once('error', onClose);
  });
}

/**
 * Sends `list` as JSON (the same text as `JSON.stringify(list)` plus a newline) with status
 * 200; resolves when the body is written or the client went away.
 */
export async function sendListJson(res: AnyResponse, contentType: string, list: { readonly items: readonly KubeObject[] }): Promise<void> {
  if (list.items.length < streamFromItems) {
    send(res, 200, contentType, `${listJson(list)}\n`);
    return;
  }
  const { before, after } = listJsonEnvelope(list);
  let out = res as unknown as Writable;
  if (acceptsGzip(res) && largerThanGzipThreshold(before, after, list.items)) {
    res.statusCode = 200;
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-cache, private');
    out = gzipped(res);
  } else {
    startStream(res, 200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private' });
  }
  // Item text is copied straight into batch buffers (joining megabytes of strings and encoding
  // the result costs several times more). A batch buffer goes back to `spare` once its write is
  // done and is refilled: allocating a fresh megabyte per batch grew V8's external memory by the
  // list's size and set off full mark-compacts of the whole heap (the cached objects) during
  // every large list, which cost more CPU than the list itself.
  const spare: Buffer[] = [];
  const take = (room: number): Buffer => (room <= batchBytes ? (spare.pop() ?? Buffer.allocUnsafe(batchBytes)) : Buffer.allocUnsafe(room));
  let buf = take(0);
  let used = buf.write(before, 0, 'utf8');
  const items = list.items;
  for (let i = 0; i < items.length; i++) {
    const json = objectJson(items[i]);
    const room = json.length * 3 + 1; // UTF-8 needs at most 3 bytes per UTF-16 unit
    if (buf.length - used < room) {
      if (out.destroyed === true) {
        return;
      }
      const full = buf;
      const more = out.write(full.subarray(0, used), (err) => {
        if (err == null && full.length === batchBytes) {
          spare.push(full);
        }
      });
      buf = take(room);
      used = 0;
      if (!more && !(await drained(out))) {
        return;
      }
    }
    if (i > 0) {
      buf[used++] = 0x2c; // ','
    }
    used += buf.write(json, used, 'utf8');
  }
  if (out.destroyed !== true) {
    const tail = `${after}\n`;
    if (buf.length - used >= tail.length * 3) {
      used += buf.write(tail, used, 'utf8');
      out.write(buf.subarray(0, used));
    } else {
      out.write(Buffer.concat([buf.subarray(0, used), Buffer.from(tail)]));
    }
    out.end();
  }
}

/** Whether the list's JSON is over upstream's gzip threshold (UTF-16 lengths first: exact bytes only when that is not enough). */
function largerThanGzipThreshold(before: string, after: string, items: readonly KubeObject[]): boolean {
  let units = before.length + after.length + items.length;
  for (let i = 0; i < items.length && units <= gzipThresholdBytes; i++) {
    units += objectJson(items[i]).length;
  }
  if (units > gzipThresholdBytes) {
    return true;
  }
  let bytes = Buffer.byteLength(before) + Buffer.byteLength(after) + items.length;
  for (const item of items) {
    bytes += Buffer.byteLength(objectJson(item));
  }
  return bytes > gzipThresholdBytes;
}
