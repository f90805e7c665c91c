import assert from 'node:assert/strict';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { decodeObject } from '../registry/codec.ts';
import { sendListJson } from './list-stream.ts';

function listOf(n: number): { apiVersion: string; kind: string; metadata: { resourceVersion: string }; items: KubeObject[] } {
  const items: KubeObject[] = [];
  for (let i = 0; i < n; i++) {
    // Cached objects (frozen, memoised JSON) like the watch cache hands out; one with text that needs escaping.
    const value = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' }, data: { text: `line "${i}" é日本\n${'x'.repeat(600)}` } });
    items.push(decodeObject({ key: `/registry/configmaps/default/cm-${i}`, value, createRevision: i + 1, modRevision: i + 1 }) as KubeObject);
  }
  return { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: String(n) }, items };
}

async function fetchList(list: ReturnType<typeof listOf>): Promise<{ body: string; headers: Record<string, unknown> }> {
  const server = createServer((_req, res) => void sendListJson(res, 'application/json', list));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    return await new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
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
