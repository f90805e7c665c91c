import assert from 'node:assert/strict';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { KubeObject } from '../../api/object.ts';
import { decodeObject } from '../registry/codec.ts';
import { sendListJson } from './list-stream.ts';
import type { AnyResponse } from './respond.ts';

function listOf(n: number): { apiVersion: string; kind: string; metadata: { resourceVersion: string }; items: KubeObject[] } {
  const items: KubeObject[] = [];
  for (let i = 0; i < n; i++) {
    // Cached objects (frozen, memoised JSON) like the watch cache hands out; one with text that needs escaping.
    const value = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' }, data: { text: `line "${i}" é日本\n${'x'.repeat(600)}` } });
    items.push(decodeObject({ key: `/registry/configmaps/default/cm-${i}`, value, createRevision: i + 1, modRevision: i + 1 }) as KubeObject);
  }
  return { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: String(n) }, items };
}

async function fetchList(list: ReturnType<typeof listOf>, headers: Record<string, string> = {}): Promise<{ body: string; headers: Record<string, unknown> }> {
  const server = createServer((_req, res) => void sendListJson(res, 'application/json', list));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    return await new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ body: (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'), headers: res.headers });
        });
        res.on('error', reject);
      }).on('error', reject);
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('a small list is one body with a Content-Length, the text JSON.stringify gives', async () => {
  const list = listOf(3);
  const { body, headers } = await fetchList(list);
  assert.equal(body, `${JSON.stringify(list)}\n`);
  assert.equal(headers['content-length'], String(Buffer.byteLength(body)));
});

test('a large list is streamed (no Content-Length) with exactly the text JSON.stringify gives', async () => {
  const list = listOf(5000); // ~3.5 MB: several batches
  const { body, headers } = await fetchList(list);
  assert.equal(headers['content-length'], undefined);
  assert.equal(headers['content-type'], 'application/json');
  assert.equal(body, `${JSON.stringify(list)}\n`);
});

test('with Accept-Encoding: gzip, lists over 128 KiB are gzipped (streamed or not) and smaller ones are not, as upstream', async () => {
  for (const [n, gzip] of [[5000, true], [400, true], [100, false]] as const) {
    const list = listOf(n); // ~700 bytes per item: 400 items ≈ 280 KB in one body, 100 ≈ 70 KB
    const { body, headers } = await fetchList(list, { 'accept-encoding': 'deflate, gzip' });
    assert.equal(body, `${JSON.stringify(list)}\n`, `${n} items`);
    assert.equal(headers['content-encoding'], gzip ? 'gzip' : undefined, `${n} items`);
    assert.equal(headers.vary, gzip ? 'Accept-Encoding' : undefined, `${n} items`);
    assert.equal(headers['content-length'], gzip || n >= 1000 ? undefined : String(Buffer.byteLength(body)), `${n} items`);
  }
  // Only a bare `gzip` token counts (upstream does not parse q-values).
  const { headers } = await fetchList(listOf(400), { 'accept-encoding': 'br, gzip;q=1.0' });
  assert.equal(headers['content-encoding'], undefined);
});

/** A response that takes writes like a socket: each chunk is consumed (copied) and its callback run a turn later; 'drain' once the queue empties. */
function slowResponse(): { res: AnyResponse; body: () => string; chunkStores: () => Set<ArrayBufferLike>; ended: Promise<void> } {
  const emitter = new EventEmitter();
  const received: Buffer[] = [];
  const stores = new Set<ArrayBufferLike>();
  const queue: { chunk: Buffer; done?: (err?: Error | null) => void }[] = [];
  let ended!: () => void;
  const endedPromise = new Promise<void>((resolve) => (ended = resolve));
  const pump = (): void => {
    const next = queue.shift();
    if (next === undefined) {
      emitter.emit('drain');
      return;
    }
    received.push(Buffer.from(next.chunk)); // the bytes as they are when the write completes
    next.done?.(null);
    setImmediate(pump);
  };
  const res = Object.assign(emitter, {
    statusCode: 0,
    headersSent: false,
    setHeader: () => undefined,
    flushHeaders: () => undefined,
    write(chunk: Buffer, done?: (err?: Error | null) => void): boolean {
      stores.add(chunk.buffer);
      queue.push({ chunk, done });
      if (queue.length === 1) {
        setImmediate(pump);
      }
      return queue.length < 2;
    },
    end(): void {
      const finish = (): void => (queue.length === 0 ? ended() : void setImmediate(finish));
      finish();
    },
  });
  return { res: res as unknown as AnyResponse, body: () => Buffer.concat(received).toString('utf8'), chunkStores: () => stores, ended: endedPromise };
}

test('batch buffers are reused only after their write completed, and the text stays exact', async () => {
  const list = listOf(8000); // ~5.5 MB: several 1 MiB batches
  const out = slowResponse();
  await sendListJson(out.res, 'application/json', list);
  await out.ended;
  assert.equal(out.body(), `${JSON.stringify(list)}\n`);
  // A handful of buffers serve every batch (fresh megabytes per batch made V8 run full GCs during large lists).
  assert.ok(out.chunkStores().size <= 3, `batch buffers allocated: ${out.chunkStores().size}`);
});
