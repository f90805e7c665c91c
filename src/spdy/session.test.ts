import assert from 'node:assert/strict';
import { Duplex, duplexPair } from 'node:stream';
import { test } from 'node:test';
import { constants, createDeflate, createInflate } from 'node:zlib';
import { decodeHeaderBlock, dictionaryDigest, encodeHeaderBlock, SPDY_DICTIONARY, SpdySession } from './session.ts';
import type { SpdyStream } from './session.ts';

test('the dictionary is byte-for-byte the one moby/spdystream compresses against', () => {
  assert.equal(SPDY_DICTIONARY.length, 1423);
  assert.equal(dictionaryDigest(), '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
});

test('header blocks round-trip; names are lowercased; a partial block is not parsed', () => {
  const block = encodeHeaderBlock({ StreamType: 'data', port: '80', requestid: '7' });
  const parsed = decodeHeaderBlock(block);
  assert.deepEqual([...(parsed?.headers ?? [])], [['streamtype', 'data'], ['port', '80'], ['requestid', '7']]);
  assert.equal(parsed?.length, block.length);
  assert.equal(decodeHeaderBlock(block.subarray(0, block.length - 1)), undefined);
});

/** A fake client: a real zlib deflater with the dictionary (as Go's framer), frames fed in byte by byte. */
function harness(): { session: SpdySession; streams: SpdyStream[]; feed: (b: Buffer) => void; written: () => Buffer; synStream: (id: number, headers: Record<string, string>, fin?: boolean) => Promise<Buffer> } {
  const out: Buffer[] = [];
  const transport = new Duplex({
    read() {
      // frames are fed with emit('data') below
    },
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk);
      cb();
    },
  });
  const streams: SpdyStream[] = [];
  const session = new SpdySession(transport, (s) => streams.push(s));
  const deflater = createDeflate({ dictionary: SPDY_DICTIONARY });
  const compress = (b: Buffer): Promise<Buffer> => new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const onData = (c: Buffer): number => chunks.push(c);
    deflater.on('data', onData);
    deflater.write(b);
    deflater.flush(constants.Z_SYNC_FLUSH, () => setImmediate(() => {
      deflater.off('data', onData);
      resolve(Buffer.concat(chunks));
    }));
  });
  const feed = (b: Buffer): void => {
    for (const byte of b) {
      transport.emit('data', Buffer.from([byte]));
    }
  };
  const synStream = async (id: number, headers: Record<string, string>, fin = false): Promise<Buffer> => {
    const hb = await compress(encodeHeaderBlock(headers));
    const payload = Buffer.concat([Buffer.from([0, 0, 0, id, 0, 0, 0, 0, 0, 0]), hb]);
    const head = Buffer.from([0x80, 0x03, 0x00, 0x01, fin ? 1 : 0, 0, 0, 0]);
    head.writeUIntBE(payload.length, 5, 3);
    return Buffer.concat([head, payload]);
  };
  return { session, streams, feed, written: () => Buffer.concat(out), synStream };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

test('SYN_STREAMs are answered with SYN_REPLYs a zlib reader with the dictionary decodes; data and FIN reach the stream', async () => {
  const h = harness();
  h.feed(Buffer.concat([await h.synStream(1, { streamtype: 'error', port: '80', requestid: '0' }), await h.synStream(3, { streamtype: 'data', port: '80', requestid: '0' })]));
  for (let i = 0; i < 50 && h.streams.length < 2; i++) {
    await tick();
  }
  assert.deepEqual(h.streams.map((s) => [s.id, s.headers.get('streamtype')]), [[1, 'error'], [3, 'data']]);
  const got: Buffer[] = [];
  let ended = false;
  h.streams[1].onData = (c) => got.push(c);
  h.streams[1].onEnd = () => {
    ended = true;
  };
  h.feed(Buffer.from([0, 0, 0, 3, 1, 0, 0, 2, ...Buffer.from('hi')]));
  for (let i = 0; i < 50 && !ended; i++) {
    await tick();
  }
  assert.equal(Buffer.concat(got).toString(), 'hi');
  // Two SYN_REPLY frames; their header blocks form one zlib stream with the SPDY dictionary.
  const w = h.written();
  const frames: Buffer[] = [];
  for (let at = 0; at < w.length;) {
    const len = w.readUIntBE(at + 5, 3);
    frames.push(w.subarray(at, at + 8 + len));
    at += 8 + len;
  }
  assert.deepEqual(frames.map((f) => [f.readUInt16BE(0), f.readUInt16BE(2), f.readUInt32BE(8)]), [[0x8003, 2, 1], [0x8003, 2, 3]]);
  const inflater = createInflate({ dictionary: SPDY_DICTIONARY });
  const plain: Buffer[] = [];
  inflater.on('data', (c: Buffer) => plain.push(c));
  inflater.write(Buffer.concat(frames.map((f) => f.subarray(12))));
  await new Promise<void>((resolve) => inflater.flush(constants.Z_SYNC_FLUSH, () => resolve()));
  await tick();
  assert.equal(Buffer.concat(plain).toString('hex'), '0000000000000000');
  // Every reply's block ends with the empty stored block (the sync-flush marker Go's reader needs).
  for (const f of frames) {
    assert.equal(f.subarray(-5).toString('hex'), '000000ffff');
  }
  h.session.close();
});

test('client pings are echoed; our writes become data frames with FIN on end()', async () => {
  const h = harness();
  h.feed(Buffer.from([0x80, 0x03, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 5]));
  h.feed(await h.synStream(1, { streamtype: 'data', port: '1', requestid: '0' }));
  for (let i = 0; i < 50 && h.streams.length < 1; i++) {
    await tick();
  }
  h.streams[0].write(Buffer.from('abc'));
  h.streams[0].end();
  const w = h.written();
  assert.equal(w.subarray(0, 12).toString('hex'), '800300060000000400000005');
  assert.ok(w.includes(Buffer.from([0, 0, 0, 1, 0, 0, 0, 3, 0x61, 0x62, 0x63, 0, 0, 0, 1, 1, 0, 0, 0])));
  h.session.close();
});

test('a client session opens streams on a server session: headers, data both ways, FIN, no streams after close', async () => {
  const [a, b] = duplexPair();
  const served: SpdyStream[] = [];
  const server = new SpdySession(b, (s) => {
    served.push(s);
    s.onData = (c) => s.write(Buffer.from(c.toString().toUpperCase()));
    s.onEnd = () => s.end();
  });
  const client = new SpdySession(a, () => assert.fail('the client role never hands out server streams'), 'client');
  const first = await client.openStream({ StreamType: 'error', port: '80', requestid: '0' }, true);
  const second = await client.openStream({ streamtype: 'data', port: '80', requestid: '0' });
  assert.deepEqual([first.id, second.id], [1, 3]);
  assert.deepEqual(served.map((s) => [...s.headers]), [
    [['streamtype', 'error'], ['port', '80'], ['requestid', '0']],
    [['streamtype', 'data'], ['port', '80'], ['requestid', '0']],
  ]);
  const got: Buffer[] = [];
  const ended = new Promise<void>((resolve) => {
    second.onEnd = resolve;
  });
  second.onData = (c) => got.push(c);
  second.write(Buffer.from('hello'));
  second.end();
  await ended;
  assert.equal(Buffer.concat(got).toString(), 'HELLO');
  client.close();
  await assert.rejects(client.openStream({ streamtype: 'data' }), /connection closed/);
  server.close();
});
