import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { StatusError } from '../api/errors.ts';
import { GoneError } from './status.ts';
import { startFakeServer } from './testing.ts';
import { decodeWatchEvents, Watch } from './watch.ts';

const pods = { group: '', version: 'v1', resource: 'pods', namespace: 'default' } as const;

async function collect(src: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const e of src) {
    out.push(e);
  }
  return out;
}

test('decodes events split across chunks and multi-byte characters', async () => {
  const line = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'é' } } });
  const bytes = Buffer.from(`${line}\n${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '7' } } })}`);
  const cut = bytes.indexOf(Buffer.from('é')) + 1;
  const chunks = [bytes.subarray(0, cut), bytes.subarray(cut, cut + 5), bytes.subarray(cut + 5)];
  const events = (await collect(decodeWatchEvents(Readable.from(chunks)))) as { type: string; object: { metadata: { name?: string } } }[];
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'BOOKMARK']);
  assert.equal(events[0].object.metadata.name, 'é');
});

test('ERROR 410 throws GoneError; other ERRORs throw StatusError', async () => {
  const gone = JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' } });
  await assert.rejects(collect(decodeWatchEvents(Readable.from([`${gone}\n`]))), (e: unknown) => e instanceof GoneError && e.message.startsWith('too old'));
  const boom = JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 500, reason: 'InternalError', message: 'boom' } });
  await assert.rejects(collect(decodeWatchEvents(Readable.from([`${boom}\n`]))), (e: unknown) => e instanceof StatusError && !(e instanceof GoneError) && e.code === 500);
});

test('Watch: query parameters, events, clean end on server close, stop() ends quietly', async () => {
  const fake = await startFakeServer();
  try {
    fake.handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '5' } } })}\n`);
      if (req.url.searchParams.get('timeoutSeconds') === '1') {
        res.end();
      }
    };
    const w = await Watch.open(fake.client, pods, { resourceVersion: '4', allowWatchBookmarks: true, sendInitialEvents: true, timeoutSeconds: 1 });
    const q = fake.seen[0].url.searchParams;
    assert.equal(q.get('watch'), 'true');
    assert.equal(q.get('resourceVersion'), '4');
    assert.equal(q.get('sendInitialEvents'), 'true');
    assert.equal(q.get('resourceVersionMatch'), 'NotOlderThan');
    assert.equal(q.get('allowWatchBookmarks'), 'true');
    assert.equal((await collect(w)).length, 1, 'server close ends the iteration');

    const open = await Watch.open(fake.client, pods, { timeoutSeconds: 100 });
    const seen: unknown[] = [];
    const done = (async () => {
      for await (const ev of open) {
        seen.push(ev);
        open.stop();
      }
    })();
    await done;
    assert.equal(seen.length, 1);
    assert.equal(open.stopped, true);
  } finally {
    await fake.close();
  }
});

test('Watch.open: an error answer throws the decoded StatusError', async () => {
  const fake = await startFakeServer();
  try {
    fake.handler = (_req, res) => res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 422, reason: 'Invalid', message: 'nope' }));
    await assert.rejects(Watch.open(fake.client, pods, { sendInitialEvents: true }), (e: unknown) => e instanceof StatusError && e.code === 422);
  } finally {
    await fake.close();
  }
});

test('decodes lines cut anywhere: one event over many chunks, several per chunk, blank lines, string chunks, no final newline', async () => {
  const evs = [0, 1, 2].map((i) => JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: `pod-${i}-ü✓`, resourceVersion: String(i) } } }));
  const text = Buffer.from(`${evs[0]}\n\n  \n${evs[1]}\r\n${evs[2]}`);
  for (const size of [1, 2, 3, 7, 64, text.length]) {
    const chunks: (Buffer | string)[] = [];
    for (let i = 0; i < text.length; i += size) {
      chunks.push(text.subarray(i, i + size));
    }
    const events = (await collect(decodeWatchEvents(Readable.from(chunks)))) as { object: { metadata: { name?: string } } }[];
    assert.deepEqual(events.map((e) => e.object.metadata.name), ['pod-0-ü✓', 'pod-1-ü✓', 'pod-2-ü✓'], `chunks of ${size} bytes`);
  }
  const asStrings = (await collect(decodeWatchEvents(Readable.from([`${evs[0]}\n${evs[1].slice(0, 9)}`, `${evs[1].slice(9)}\n`], { objectMode: true })))) as unknown[];
  assert.equal(asStrings.length, 2);
});
