import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as packet from 'dns-packet';
import { AnswerCache } from './answer-cache.ts';

const query = (id: number, name: string): Buffer => packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
const answer = (id: number, name: string): Buffer => packet.encode({ type: 'response', id, flags: packet.AUTHORITATIVE_ANSWER, questions: [{ type: 'A', name }], answers: [{ type: 'A', name, ttl: 5, class: 'IN', data: '10.96.0.1' }] });

test('a cached answer comes back with the new query ID, as its own copy', () => {
  const cache = new AnswerCache();
  cache.set(query(1, 'web.default.svc.cluster.local'), answer(1, 'web.default.svc.cluster.local'), 0);
  const hit = cache.get(query(0x1234, 'web.default.svc.cluster.local'), 0);
  assert.ok(hit !== undefined);
  const decoded = packet.decode(hit);
  assert.equal(decoded.id, 0x1234);
  assert.deepEqual(decoded.answers?.map((a) => ('data' in a ? a.data : undefined)), ['10.96.0.1']);
  const again = cache.get(query(7, 'web.default.svc.cluster.local'), 0);
  assert.equal(packet.decode(again ?? Buffer.alloc(0)).id, 7);
  assert.equal(packet.decode(hit).id, 0x1234, 'an earlier answer is not changed by a later hit');
});

test('another name, another case or a newer index generation misses', () => {
  const cache = new AnswerCache();
  cache.set(query(1, 'web.default.svc.cluster.local'), answer(1, 'web.default.svc.cluster.local'), 3);
  assert.equal(cache.get(query(2, 'db.default.svc.cluster.local'), 3), undefined);
  assert.equal(cache.get(query(2, 'WEB.default.svc.cluster.local'), 3), undefined, 'the question is echoed as asked');
  assert.equal(cache.get(query(2, 'web.default.svc.cluster.local'), 4), undefined);
});

test('the cache stays bounded', () => {
  const cache = new AnswerCache(2);
  for (const n of ['a', 'b', 'c']) {
    cache.set(query(1, `${n}.default.svc.cluster.local`), answer(1, `${n}.default.svc.cluster.local`), 0);
  }
  assert.equal(cache.get(query(1, 'a.default.svc.cluster.local'), 0), undefined);
  assert.ok(cache.get(query(1, 'c.default.svc.cluster.local'), 0) !== undefined);
});
