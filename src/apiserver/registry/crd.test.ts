import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { defaultTableConvertor, tableConvertorFor } from '../../api/tables/index.ts';
import { PatchType } from './types.ts';
import { fileHarness } from './testing/harness.ts';
import type { Harness } from './testing/harness.ts';

const h = fileHarness();
const opts = { timeout: 20_000 };

const crd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size' } },
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 }, color: { type: 'string', default: 'blue' } } }, status: { type: 'object', properties: { size: { type: 'integer' } } } } } },
      },
    ],
  },
};

/** Resolves once the registry serves (or stops serving) example.com/v1 widgets. */
function servedChange(want: boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if ((h.registry.resolve('example.com', 'v1', 'widgets') !== undefined) === want) {
        resolve();
      }
    };
    h.registry.onResourcesChanged(check);
    check();
  });
}

test('a CRD gets established and serves its custom resource, with status and scale subresources', opts, async () => {
  const crds = h.desc('apiextensions.k8s.io', 'customresourcedefinitions');
  let changes = 0;
  h.registry.onResourcesChanged(() => changes++);
  await h.registry.create(crds, undefined, crd, h.ctx());
  await servedChange(true);
  assert.ok(changes > 0);
  const widgets = h.registry.resolve('example.com', 'v1', 'widgets');
  assert.ok(widgets);
  assert.equal(widgets.kind, 'Widget');
  assert.ok(h.registry.resources().includes(widgets));

  const w = await h.registry.create(widgets, 'default', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 2 }, status: { size: 5 } }, h.ctx());
  assert.equal(w.metadata.generation, 1);
  assert.equal((w.spec as { color?: string }).color, 'blue', 'schema defaults apply');
  await assert.rejects(h.registry.create(widgets, 'default', { metadata: { name: 'w2' }, spec: { size: 1, shape: 'round' } }, h.ctx()), (e: unknown) => (e as StatusError).code === 400 && (e as StatusError).message === 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.shape"');
  await assert.rejects(h.registry.create(widgets, 'default', { metadata: { name: 'w2' }, spec: { size: 0 } }, h.ctx()), (e: unknown) => (e as StatusError).code === 422 && /^Widget.example.com "w2" is invalid: spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1$/.test((e as StatusError).message));
  await assert.rejects(h.registry.patch(widgets, 'default', 'w1', PatchType.Strategic, { spec: { size: 3 } }, h.ctx(), { force: false }), (e: unknown) => (e as StatusError).code === 415 && (e as StatusError).message === 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  const pruned = await h.registry.create(widgets, 'default', { metadata: { name: 'w3' }, spec: { size: 1, shape: 'round' } }, h.ctx({ fieldValidation: 'Ignore' }));
  assert.deepEqual(pruned.spec, { size: 1, color: 'blue' });
  assert.equal(w.status, undefined, 'custom resources drop status on create when status is a subresource');
  const scale = await h.registry.get(widgets, 'default', 'w1', 'scale');
  assert.deepEqual(scale.spec, { replicas: 2 });
  const st = await h.registry.update(widgets, 'default', 'w1', { ...w, spec: { size: 9 }, status: { size: 2 } }, h.ctx(), 'status');
  assert.deepEqual(st.object.spec, { size: 2, color: 'blue' });
  assert.deepEqual(st.object.status, { size: 2 });
  const list = await h.registry.list(widgets, 'default', {});
  assert.equal(list.kind, 'WidgetList');
  assert.equal(list.items.length, 2);

  // Wait for the controller's own status write before reading the CRD.
  let established: KubeObject | undefined;
  for (let i = 0; i < 50 && established === undefined; i++) {
    const cur = await h.registry.get(crds, undefined, 'widgets.example.com');
    const conds = (cur.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    if (conds.some((c) => c.type === 'Established' && c.status === 'True')) {
      established = cur;
    } else {
      await new Promise((r) => setImmediate(r));
    }
  }
  assert.ok(established, 'CRD reaches Established=True');
  assert.deepEqual((established.status as { acceptedNames: { kind: string } }).acceptedNames.kind, 'Widget');
  assert.ok(established.metadata.finalizers?.includes('customresourcecleanup.apiextensions.k8s.io'));
});

test('CRD changes that do not touch the spec do not re-announce resources; a new version is served', opts, async () => {
  const crds = h.desc('apiextensions.k8s.io', 'customresourcedefinitions');
  let changes = 0;
  h.registry.onResourcesChanged(() => changes++);
  await h.registry.patch(crds, undefined, 'widgets.example.com', 'application/merge-patch+json', { metadata: { labels: { touched: 'yes' } } }, h.ctx(), { force: false });
  const cur = await h.registry.get(crds, undefined, 'widgets.example.com');
  const versions = (cur.spec as { versions: { name: string; storage: boolean }[] }).versions;
  await h.registry.patch(crds, undefined, 'widgets.example.com', 'application/merge-patch+json', { spec: { versions: [...versions, { ...versions[0], name: 'v2', storage: false }] } }, h.ctx(), { force: false });
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (h.registry.resolve('example.com', 'v2', 'widgets') !== undefined) {
        resolve();
      }
    };
    h.registry.onResourcesChanged(check);
    check();
  });
  assert.equal(changes, 1, 'only the version change was announced');
  const v2 = h.registry.resolve('example.com', 'v2', 'widgets');
  assert.ok(v2);
  const listed = await h.registry.list(v2, 'default', {});
  assert.equal(listed.apiVersion, 'example.com/v2');
  assert.ok(listed.items.every((i) => i.apiVersion === 'example.com/v2'));
});

test('deleting a CRD stops serving it and removes its objects', opts, async () => {
  const crds = h.desc('apiextensions.k8s.io', 'customresourcedefinitions');
  const widgets = h.registry.resolve('example.com', 'v1', 'widgets');
  assert.ok(widgets);
  assert.notEqual(tableConvertorFor('example.com', 'widgets', 'v1'), defaultTableConvertor, 'a served CRD has its own table columns');
  await h.registry.create(widgets, 'default', { metadata: { name: 'held', finalizers: ['example.com/hold'] }, spec: { size: 1 } }, h.ctx());
  const res = await h.registry.delete(crds, undefined, 'widgets.example.com', {}, h.ctx());
  assert.equal(res.finished, false);
  // The held object keeps the CRD (and its endpoints) alive; new objects are refused.
  let held: KubeObject | undefined;
  while (held?.metadata.deletionTimestamp === undefined) {
    held = await h.registry.get(widgets, 'default', 'held');
    await new Promise((r) => setImmediate(r));
  }
  await assert.rejects(h.registry.create(widgets, 'default', { metadata: { name: 'late' }, spec: { size: 1 } }, h.ctx()), (e: unknown) => (e as StatusError).code === 405 && (e as StatusError).message === 'create not allowed while custom resource definition is terminating');
  assert.ok(h.registry.resolve('example.com', 'v1', 'widgets'));
  await h.registry.patch(widgets, 'default', 'held', 'application/merge-patch+json', { metadata: { finalizers: null } }, h.ctx(), { force: false });
  await servedChange(false);
  assert.equal(tableConvertorFor('example.com', 'widgets', 'v1'), defaultTableConvertor, 'table columns go with the CRD');
  for (let i = 0; i < 100; i++) {
    try {
      await h.registry.get(crds, undefined, 'widgets.example.com');
      await new Promise((r) => setImmediate(r));
    } catch (err) {
      assert.equal((err as StatusError).code, 404);
      break;
    }
  }
  await assert.rejects(h.registry.get(crds, undefined, 'widgets.example.com'), (e: unknown) => (e as StatusError).code === 404);
  assert.equal((await h.storage.list('/registry/example.com/widgets/')).items.length, 0);
});

/** Creates a namespaced example.com/v1 CRD for `plural`/`kind` and waits until it is served. */
async function serveCrd(plural: string, kind: string, statusSubresource: boolean): Promise<NonNullable<ReturnType<Harness['registry']['resolve']>>> {
  const crds = h.desc('apiextensions.k8s.io', 'customresourcedefinitions');
  const props = { n: { type: 'integer' } };
  const version = { name: 'v1', served: true, storage: true, ...(statusSubresource ? { subresources: { status: {} } } : {}), schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: props }, status: { type: 'object', properties: props } } } } };
  await h.registry.create(crds, undefined, { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.example.com` }, spec: { group: 'example.com', scope: 'Namespaced', names: { plural, kind }, versions: [version] } }, h.ctx());
  for (let i = 0; i < 500; i++) {
    const desc = h.registry.resolve('example.com', 'v1', plural);
    if (desc !== undefined) {
      return desc;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${plural} never served`);
}

test('field ownership of status follows the CRD version: owned by main-resource writers only without a status subresource', opts, async () => {
  const gadgets = await serveCrd('gadgets', 'Gadget', false);
  const applied = await h.registry.patch(gadgets, 'default', 'g1', PatchType.Apply, { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: { n: 1 }, status: { n: 2 } }, h.ctx({ fieldManager: 'a' }), { force: false });
  const owned = JSON.stringify(applied.object.metadata.managedFields ?? []);
  assert.ok(owned.includes('"f:status"'), `status is owned without a status subresource: ${owned}`);
  const updated = await h.registry.update(gadgets, 'default', 'g1', { ...applied.object, spec: { n: 3 }, status: { n: 4 } }, h.ctx({ fieldManager: 'b' }));
  const byB = JSON.stringify(updated.object.metadata.managedFields?.find((e) => e.manager === 'b')?.fieldsV1 ?? {});
  assert.ok(byB.includes('"f:status"'), `an update takes status ownership too: ${byB}`);

  const gizmos = await serveCrd('gizmos', 'Gizmo', true);
  const z = await h.registry.patch(gizmos, 'default', 'z1', PatchType.Apply, { apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'z1' }, spec: { n: 1 }, status: { n: 2 } }, h.ctx({ fieldManager: 'a' }), { force: false });
  const zOwned = JSON.stringify(z.object.metadata.managedFields ?? []);
  assert.ok(zOwned.includes('"f:spec"') && !zOwned.includes('"f:status"'), `with a status subresource, main-resource apply owns no status: ${zOwned}`);
});
