import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:http2';
import { after, before, describe, test } from 'node:test';
import type { ResourceDescription } from '../../api/resource.ts';
import { createFakeRegistry, type FakeRegistry } from './fake-registry.ts';
import { startTestServer, type TestServer } from './test-server.ts';

const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

let registry: FakeRegistry;
let server: TestServer;
let pods: ResourceDescription;

before(async () => {
  registry = createFakeRegistry();
  const found = registry.resolve('', 'v1', 'pods');
  assert.ok(found);
  pods = found;
  server = await startTestServer({ registry });
  for (const name of ['a', 'b']) {
    await fetch(`${server.url}/api/v1/namespaces/default/pods`, { method: 'POST', body: JSON.stringify({ metadata: { name } }), headers: { 'content-type': 'application/json' } });
  }
});
after(async () => {
  await server.close();
});

/** Opens a streaming GET; resolves once the response headers arrive. */
function openStream(path: string, accept = 'application/json'): Promise<{ res: IncomingMessage; lines: () => AsyncGenerator<Record<string, unknown>>; abort: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { headers: { accept } }, (res) => {
      res.setEncoding('utf8');
      async function* lines(): AsyncGenerator<Record<string, unknown>> {
        let buf = '';
        for await (const chunk of res) {
          buf += chunk as string;
          let nl = buf.indexOf('\n');
          while (nl >= 0) {
            yield JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
            buf = buf.slice(nl + 1);
            nl = buf.indexOf('\n');
          }
        }
      }
      resolve({ res, lines, abort: () => req.destroy() });
    });
    req.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') {
        reject(e);
      }
    });
    req.end();
  });
}

async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) {
    await new Promise((r) => setImmediate(r));
  }
}

describe('watch', () => {
  test('headers arrive before any event; events are newline-delimited; disconnect stops the registry watch', async () => {
    const s = await openStream('/api/v1/namespaces/default/pods?watch=True&resourceVersion=5');
    assert.equal(s.res.statusCode, 200);
    assert.equal(s.res.headers['content-type'], 'application/json');
    assert.equal(s.res.headers['transfer-encoding'], 'chunked');
    assert.equal(registry.watcherCount(), 1);
    const during = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(during, /apiserver_registered_watchers\{group="",version="v1",kind="Pod"\} 1/);
    const it = s.lines();
    registry.emit(pods, 'MODIFIED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', resourceVersion: '200' } });
    const ev = (await it.next()).value as { type: string; object: { metadata: { name: string } } };
    assert.equal(ev.type, 'MODIFIED');
    assert.equal(ev.object.metadata.name, 'a');
    s.abort();
    await waitFor(() => registry.watcherCount() === 0);
    const afterwards = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(afterwards, /apiserver_registered_watchers\{group="",version="v1",kind="Pod"\} 0/);
  });

  test('WatchList: initial events then the initial-events-end bookmark', async () => {
    const s = await openStream('/api/v1/namespaces/default/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&fieldSelector=metadata.name%3Da');
    const it = s.lines();
    const first = (await it.next()).value as { type: string; object: { metadata: { name: string } } };
    assert.deepEqual([first.type, first.object.metadata.name], ['ADDED', 'a']);
    const bookmark = (await it.next()).value as { type: string; object: { metadata: { annotations: Record<string, string> } } };
    assert.equal(bookmark.type, 'BOOKMARK');
    assert.equal(bookmark.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    s.abort();
    await waitFor(() => registry.watcherCount() === 0);
  });

  test('sendInitialEvents without resourceVersionMatch=NotOlderThan is 422', async () => {
    const res = await fetch(`${server.url}/api/v1/namespaces/default/pods?watch=true&sendInitialEvents=true`);
    assert.equal(res.status, 422);
    assert.equal(((await res.json()) as { reason: string }).reason, 'Invalid');
  });

  test('Table watch: one-row Tables, columnDefinitions only on the first', async () => {
    const s = await openStream('/api/v1/namespaces/default/pods?watch=true&resourceVersion=1', tableAccept);
    assert.equal(s.res.headers['content-type'], 'application/json;as=Table;v=v1;g=meta.k8s.io');
    const it = s.lines();
    registry.emit(pods, 'ADDED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', resourceVersion: '300' } });
    registry.emit(pods, 'MODIFIED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', resourceVersion: '301' } });
    const e1 = (await it.next()).value as { object: { kind: string; columnDefinitions: unknown[] | null; rows: { object: { kind: string } }[]; metadata: { resourceVersion: string } } };
    const e2 = (await it.next()).value as { object: { columnDefinitions: unknown[] | null; rows: unknown[] } };
    assert.equal(e1.object.kind, 'Table');
    assert.ok(Array.isArray(e1.object.columnDefinitions) && e1.object.columnDefinitions.length > 0);
    assert.equal(e1.object.rows.length, 1);
    assert.equal(e1.object.rows[0].object.kind, 'PartialObjectMetadata');
    assert.equal(e1.object.metadata.resourceVersion, '300');
    assert.equal(e2.object.columnDefinitions, null);
    assert.equal(e2.object.rows.length, 1);
    s.abort();
    await waitFor(() => registry.watcherCount() === 0);
  });

  test('server-side close and timeoutSeconds end the response', async () => {
    const s = await openStream('/api/v1/namespaces/default/pods?watch=true');
    const ended = new Promise<void>((resolve) => s.res.on('end', resolve));
    s.res.resume();
    registry.closeWatches();
    await ended;
    const t = await openStream('/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1');
    t.res.resume();
    await new Promise<void>((resolve) => t.res.on('end', resolve));
    await waitFor(() => registry.watcherCount() === 0);
  });

  test('legacy /watch/ path narrows to the named object', async () => {
    const s = await openStream('/api/v1/watch/namespaces/default/pods/b');
    const it = s.lines();
    registry.emit(pods, 'MODIFIED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', resourceVersion: '400' } });
    registry.emit(pods, 'MODIFIED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'default', resourceVersion: '401' } });
    const ev = (await it.next()).value as { object: { metadata: { name: string } } };
    assert.equal(ev.object.metadata.name, 'b');
    s.abort();
    await waitFor(() => registry.watcherCount() === 0);
  });
});

describe('tables and partial metadata', () => {
  test('list and get as Table, includeObject, v1beta1, PartialObjectMetadataList', async () => {
    const list = await fetch(`${server.url}/api/v1/namespaces/default/pods?limit=1`, { headers: { accept: tableAccept } });
    assert.equal(list.headers.get('content-type'), 'application/json;as=Table;v=v1;g=meta.k8s.io');
    const t = (await list.json()) as { kind: string; metadata: { resourceVersion: string; continue: string }; columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[]; object: { kind: string; metadata: { name: string; uid: string } } }[] };
    assert.equal(t.kind, 'Table');
    assert.ok(t.metadata.resourceVersion);
    assert.equal(t.metadata.continue, '1');
    assert.equal(t.columnDefinitions[0].name, 'Name');
    assert.ok(t.columnDefinitions.some((c) => c.priority === 1), 'wide columns carry priority 1');
    assert.equal(t.rows.length, 1);
    assert.equal(t.rows[0].cells.length, t.columnDefinitions.length);
    assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata');
    assert.ok(t.rows[0].object.metadata.uid);
    const full = (await (await fetch(`${server.url}/api/v1/namespaces/default/pods/a?includeObject=Object`, { headers: { accept: tableAccept } })).json()) as { rows: { object: { kind: string } }[] };
    assert.equal(full.rows[0].object.kind, 'Pod');
    const none = (await (await fetch(`${server.url}/api/v1/namespaces/default/pods/a?includeObject=None`, { headers: { accept: tableAccept } })).json()) as { rows: { object?: unknown }[] };
    assert.equal(none.rows[0].object, undefined);
    const beta = await fetch(`${server.url}/api/v1/namespaces/default/pods`, { headers: { accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io' } });
    assert.equal(((await beta.json()) as { apiVersion: string }).apiVersion, 'meta.k8s.io/v1beta1');
    const pom = await fetch(`${server.url}/api/v1/namespaces/default/pods`, { headers: { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' } });
    const pomBody = (await pom.json()) as { kind: string; items: { kind: string }[] };
    assert.equal(pomBody.kind, 'PartialObjectMetadataList');
    assert.equal(pomBody.items[0].kind, 'PartialObjectMetadata');
    const yaml = await fetch(`${server.url}/api/v1/namespaces/default/pods/a`, { headers: { accept: 'application/yaml' } });
    assert.equal(yaml.headers.get('content-type'), 'application/yaml');
    assert.match(await yaml.text(), /^apiVersion: v1\n/m);
  });
});

describe('HTTP/2', () => {
  test('GET and a watch over h2c do not crash and stream', async () => {
    const h2 = await startTestServer({ registry }, true);
    const session = connect(h2.url);
    try {
      const get = session.request({ ':path': '/api/v1/namespaces/default/pods/a' });
      const body = await new Promise<string>((resolve, reject) => {
        let text = '';
        get.setEncoding('utf8');
        get.on('data', (c: string) => (text += c));
        get.on('end', () => resolve(text));
        get.on('error', reject);
      });
      assert.equal((JSON.parse(body) as { metadata: { name: string } }).metadata.name, 'a');
      const before = registry.watcherCount();
      const watch = session.request({ ':path': '/api/v1/namespaces/default/pods?watch=true' });
      const status = await new Promise<number>((resolve) => watch.on('response', (h) => resolve(Number(h[':status']))));
      assert.equal(status, 200);
      assert.equal(registry.watcherCount(), before + 1);
      watch.setEncoding('utf8');
      const first = new Promise<string>((resolve) => watch.once('data', (c: string) => resolve(c)));
      registry.emit(pods, 'DELETED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', resourceVersion: '500' } });
      assert.equal((JSON.parse(await first) as { type: string }).type, 'DELETED');
      watch.close();
      await waitFor(() => registry.watcherCount() === before);
    } finally {
      session.close();
      await h2.close();
    }
  });
});
