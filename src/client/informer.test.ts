import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import type { KubeObject } from '../api/object.ts';
import { SharedInformer, isTombstone } from './informer.ts';
import { silentLogger } from './log.ts';
import { sendJson, startFakeServer } from './testing.ts';
import type { SeenRequest } from './testing.ts';

const cms = { group: '', version: 'v1', resource: 'configmaps' } as const;
const obj = (name: string, rv: string, v = ''): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: rv }, data: { v } });
const line = (type: string, object: unknown): string => `${JSON.stringify({ type, object })}\n`;

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) {
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function recorder(inf: SharedInformer): string[] {
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o, initial) => log.push(`add ${o.metadata.name}${initial ? ' (initial)' : ''}`),
    onUpdate: (_o, n) => log.push(`update ${n.metadata.name} ${(n.data as Record<string, string>).v}`),
    onDelete: (o) => log.push(isTombstone(o) ? `tombstone ${o.obj.metadata.name}` : `delete ${o.metadata.name}`),
  });
  return log;
}

function describeRequest(r: SeenRequest): string {
  const q = r.url.searchParams;
  if (q.get('watch') === 'true') {
    return q.get('sendInitialEvents') === 'true' ? 'watchlist' : `watch rv=${q.get('resourceVersion')}`;
  }
  return `list limit=${q.get('limit')}${q.has('continue') ? ` continue=${q.get('continue')}` : ''}`;
}

test('WatchList rejected → paginated list + watch; bookmark RV used on clean close; 410 → relist with tombstones', async () => {
  const fake = await startFakeServer();
  let step = 0;
  fake.handler = (req, res: ServerResponse) => {
    step++;
    switch (step) {
      case 1:
        return sendJson(res, 422, { kind: 'Status', code: 422, reason: 'Invalid', message: 'sendInitialEvents is forbidden' });
      case 2:
        return sendJson(res, 200, { kind: 'ConfigMapList', metadata: { resourceVersion: '10', continue: 'c1' }, items: [obj('a', '3', '1')] });
      case 3:
        return sendJson(res, 200, { kind: 'ConfigMapList', metadata: { resourceVersion: '10' }, items: [obj('b', '4', '1')] });
      case 4:
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(line('MODIFIED', obj('a', '11', '2')));
        res.write(line('BOOKMARK', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '12' } }));
        return void res.end();
      case 5:
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(line('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 12 (15)' }));
      case 6:
        return sendJson(res, 200, { kind: 'ConfigMapList', metadata: { resourceVersion: '20' }, items: [obj('a', '16', '3')] });
      default:
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.write(line('BOOKMARK', { metadata: { resourceVersion: req.url.searchParams.get('resourceVersion') } }));
    }
  };
  const inf = new SharedInformer({ client: fake.client, resource: cms, logger: silentLogger });
  const log = recorder(inf);
  inf.start();
  try {
    assert.equal(await inf.waitForSync(), true);
    await until('relisted', () => fake.seen.length >= 7);
    await until('tombstone', () => log.includes('tombstone b'));
    assert.deepEqual(fake.seen.slice(0, 7).map(describeRequest), ['watchlist', 'list limit=500', 'list limit=500 continue=c1', 'watch rv=10', 'watch rv=12', 'list limit=500', 'watch rv=20']);
    assert.deepEqual(log, ['add a (initial)', 'add b (initial)', 'update a 2', 'update a 3', 'tombstone b']);
    assert.deepEqual(inf.lister.list().map((o) => o.metadata.name), ['a']);
    assert.equal(inf.lastSyncResourceVersion, '20');
  } finally {
    await inf.stop();
    await fake.close();
  }
});

test('WatchList accepted: initial events until the end bookmark, then live events; no list call', async () => {
  const fake = await startFakeServer();
  fake.handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(line('ADDED', obj('a', '2', '1')) + line('ADDED', obj('b', '3', '1')));
    res.write(line('BOOKMARK', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '5', annotations: { 'k8s.io/initial-events-end': 'true' } } }));
    res.write(line('DELETED', obj('b', '6', '1')));
  };
  const inf = new SharedInformer({ client: fake.client, resource: { ...cms, namespace: 'ns' }, logger: silentLogger });
  const log = recorder(inf);
  inf.start();
  try {
    assert.equal(await inf.waitForSync(), true);
    assert.equal(inf.lastSyncResourceVersion, '5');
    await until('delete b', () => log.includes('delete b'));
    assert.deepEqual(log, ['add a (initial)', 'add b (initial)', 'delete b']);
    assert.equal(fake.seen.length, 1);
    assert.equal(fake.seen[0].url.pathname, '/api/v1/namespaces/ns/configmaps');
    assert.equal(inf.lister.get('ns', 'a')?.metadata.resourceVersion, '2');
    assert.equal(inf.lister.get('ns', 'b'), undefined);
    // A late handler gets the cache replayed as adds.
    const late: string[] = [];
    inf.addEventHandler({ onAdd: (o, initial) => late.push(`${o.metadata.name} ${initial}`) });
    assert.deepEqual(late, ['a true']);
  } finally {
    await inf.stop();
    await fake.close();
  }
});

test('a server that ignores sendInitialEvents (closes with no end bookmark) → falls back to list', async () => {
  const fake = await startFakeServer();
  fake.handler = (req, res) => {
    const q = req.url.searchParams;
    if (q.get('sendInitialEvents') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(line('ADDED', obj('a', '2')));
    }
    if (q.get('watch') === 'true') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).write('\n');
    }
    return sendJson(res, 200, { kind: 'ConfigMapList', metadata: { resourceVersion: '9' }, items: [obj('a', '2')] });
  };
  const inf = new SharedInformer({ client: fake.client, resource: cms, logger: silentLogger });
  inf.start();
  try {
    assert.equal(await inf.waitForSync(), true);
    assert.equal(inf.lastSyncResourceVersion, '9');
  } finally {
    await inf.stop();
    await fake.close();
  }
});

test('handler errors do not break the informer; resync re-delivers updates', async () => {
  const fake = await startFakeServer();
  fake.handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(line('ADDED', obj('a', '2', 'x')) + line('BOOKMARK', { metadata: { resourceVersion: '3', annotations: { 'k8s.io/initial-events-end': 'true' } } }));
  };
  const inf = new SharedInformer({ client: fake.client, resource: cms, logger: silentLogger });
  inf.addEventHandler({
    onAdd: () => {
      throw new Error('bad handler');
    },
  });
  const resyncs: string[] = [];
  inf.addEventHandler({ onUpdate: (o, n) => resyncs.push(`${o === n}`) }, 1000);
  inf.start();
  try {
    assert.equal(await inf.waitForSync(), true);
    await until('a resync', () => resyncs.length > 0);
    assert.equal(resyncs[0], 'true');
  } finally {
    await inf.stop();
    await fake.close();
  }
});

test('transform rewrites listed and watched objects before they are cached and handed out', async () => {
  const fake = await startFakeServer();
  fake.handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(line('ADDED', obj('a', '2', '1')));
    res.write(line('BOOKMARK', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '5', annotations: { 'k8s.io/initial-events-end': 'true' } } }));
    res.write(line('MODIFIED', obj('a', '6', '2')));
  };
  const inf = new SharedInformer({
    client: fake.client,
    resource: cms,
    logger: silentLogger,
    transform: (o) => {
      o.metadata.labels = { seen: 'yes' };
      return o;
    },
  });
  const handed: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => handed.push(`add ${o.metadata.labels?.seen}`),
    onUpdate: (_o, n) => handed.push(`update ${n.metadata.labels?.seen} ${(n.data as Record<string, string>).v}`),
  });
  inf.start();
  try {
    assert.equal(await inf.waitForSync(), true);
    await until('the update', () => handed.length === 2);
    assert.deepEqual(handed, ['add yes', 'update yes 2']);
    assert.equal(inf.lister.get('ns', 'a')?.metadata.labels?.seen, 'yes');
  } finally {
    await inf.stop();
    await fake.close();
  }
});
