import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LbService } from '../controllers/servicelb/pool.ts';
import { announcedBy, readyNodes, speakerFor } from './servicelb.ts';

const lb = (name: string, extra: { ip?: string; type?: string; want?: string; cls?: string } = {}): LbService => ({
  metadata: { name, namespace: 'default', resourceVersion: '5' },
  spec: { type: extra.type ?? 'LoadBalancer', loadBalancerIP: extra.want, loadBalancerClass: extra.cls },
  status: { loadBalancer: { ingress: extra.ip === undefined ? [] : [{ ip: extra.ip }] } },
});

test('speakers: only Ready nodes, one per address, stable when an unrelated node leaves', () => {
  const ready = readyNodes([
    { metadata: { name: 'n2' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    { metadata: { name: 'n1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    { metadata: { name: 'n3' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    { metadata: { name: 'dead' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } },
  ]);
  assert.deepEqual(ready, ['n1', 'n2', 'n3']);
  const ip = '10.0.0.7';
  const speaker = speakerFor(ip, ready) ?? '';
  assert.ok(ready.includes(speaker));
  const others = ready.filter((n) => n !== speaker);
  assert.equal(speakerFor(ip, [speaker, others[0] ?? '']), speaker);
  const pool = new Set([ip]);
  const svc = [lb('x', { ip })];
  assert.deepEqual(announcedBy(speaker, svc, pool, ready), [ip]);
  assert.deepEqual(announcedBy(others[0] ?? '', svc, pool, ready), []);
  assert.equal(speakerFor(ip, []), undefined);
});
