import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../api/errors.ts';
import { prepareCsrCreate, prepareCsrUpdate } from './csr.ts';

const csr = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'c' }, spec, status });
const approvedAt = (t: string) => ({ type: 'Approved', status: 'True', reason: 'KubectlApprove', lastUpdateTime: t, lastTransitionTime: t });

test('create: the requester comes from the request\'s user, never the body; nothing is pre-approved', () => {
  const obj = csr({ request: 'UEVN', signerName: 's', username: 'forged', groups: ['system:masters'] }, { conditions: [approvedAt('2020-01-01T00:00:00Z')], certificate: 'eA==' });
  prepareCsrCreate(obj, { username: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'], extra: { scope: ['a'] } });
  assert.deepEqual(obj.spec, { request: 'UEVN', signerName: 's', username: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'], extra: { scope: ['a'] } });
  assert.deepEqual(obj.status, {});
});

test('update: the main resource changes neither spec nor status; /approval never the certificate; /status never the approval', () => {
  const old = csr({ request: 'UEVN', username: 'alice' }, { conditions: [approvedAt('2020-01-01T00:00:00Z')], certificate: 'b2xk' });
  const main = csr({ request: 'Q0hBTkdFRA==', username: 'mallory' }, { certificate: 'Zm9yZ2Vk' });
  prepareCsrUpdate(main, old, undefined);
  assert.deepEqual([main.spec, main.status], [old.spec, old.status]);

  const approval = csr({}, { conditions: [approvedAt('2020-01-01T00:00:00Z'), { type: 'Custom', status: 'True' }], certificate: 'Zm9yZ2Vk' });
  prepareCsrUpdate(approval, old, 'approval');
  const status = approval.status as { certificate: string; conditions: { type: string; lastTransitionTime: string }[] };
  assert.equal(status.certificate, 'b2xk');
  assert.deepEqual(status.conditions.map((c) => c.type), ['Approved', 'Custom']);
  assert.equal(status.conditions[0]?.lastTransitionTime, '2020-01-01T00:00:00Z', 'an unchanged condition keeps its transition time');

  const signed = csr({}, { conditions: [], certificate: 'bmV3' });
  prepareCsrUpdate(signed, old, 'status');
  assert.deepEqual(signed.status, { certificate: 'bmV3', conditions: [approvedAt('2020-01-01T00:00:00Z')] }, 'the signer cannot drop the approval');
});

test('/approval: Approved and Denied exclude each other, and an approval cannot be taken back', () => {
  const pending = csr({ request: 'UEVN' }, {});
  const both = csr({}, { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }] });
  assert.throws(() => prepareCsrUpdate(both, pending, 'approval'), (e: unknown) => e instanceof StatusError && e.code === 422 && /Approved and Denied conditions are mutually exclusive/.test(e.message));
  const old = csr({ request: 'UEVN' }, { conditions: [approvedAt('2020-01-01T00:00:00Z')] });
  assert.throws(() => prepareCsrUpdate(csr({}, { conditions: [] }), old, 'approval'), /may not remove a condition of type "Approved"/);
});
