/**
 * Subresources served by the generic registry: `scale` (autoscaling/v1 Scale mapped onto the
 * parent through desc.scale paths) and `pods/binding`; `pods/eviction` lives in eviction.ts,
 * namespaces' `finalize` and the pod slices in the update strategy.
 */
import { badRequest, conflict, invalid } from '../../api/errors.ts';
import type { Status } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { applyJsonPatch, applyMergePatch } from '../../api/patch/index.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { labelSelectorFromMeta } from '../../api/selectors/index.ts';
import type { LabelSelectorMeta } from '../../api/selectors/index.ts';
import { cloneObject, nowRfc3339 } from './codec.ts';
import type { RegistryCore } from './core.ts';
import { decodePatchBody, patchPrecondition } from './patch.ts';
import { checkTypeMeta } from './pipeline.ts';
import { PatchType } from './types.ts';
import type { WriteContext, WriteResult } from './types.ts';
import { updateObject } from './update.ts';

type Obj = Record<string, unknown>;

const scaleGvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' } as const;

function segments(path: string): string[] {
  return path.replace(/^\./, '').split('.').filter((s) => s !== '');
}

/** Reads a `.spec.replicas`-style path. */
export function readPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const s of segments(path)) {
    if (cur === null || typeof cur !== 'object') {
      return undefined;
    }
    cur = (cur as Obj)[s];
  }
  return cur;
}

/** Writes a `.spec.replicas`-style path, creating objects on the way. */
export function writePath(obj: Obj, path: string, value: unknown): void {
  const parts = segments(path);
  let cur = obj;
  for (const s of parts.slice(0, -1)) {
    const next = cur[s];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      cur[s] = {};
    }
    cur = cur[s] as Obj;
  }
  cur[parts[parts.length - 1]] = value;
}

/** The autoscaling/v1 Scale view of obj. */
export function toScale(desc: ResourceDescription, obj: KubeObject): KubeObject {
  const paths = desc.scale ?? { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' };
  const specReplicas = Number(readPath(obj, paths.specReplicasPath) ?? 0);
  const statusReplicas = Number(readPath(obj, paths.statusReplicasPath) ?? 0);
  const status: Obj = { replicas: statusReplicas };
  let selector: unknown = paths.labelSelectorPath !== undefined ? readPath(obj, paths.labelSelectorPath) : undefined;
  if (typeof selector !== 'string') {
    const specSelector = readPath(obj, '.spec.selector');
    if (specSelector !== null && typeof specSelector === 'object') {
      const ls = specSelector as Obj;
      selector = ls.matchLabels !== undefined || ls.matchExpressions !== undefined ? labelSelectorFromMeta(ls as LabelSelectorMeta).toString() : labelSelectorFromMeta({ matchLabels: ls as Record<string, string> }).toString();
    }
  }
  if (typeof selector === 'string' && selector !== '') {
    status.selector = selector;
  }
  const m = obj.metadata;
  const metadata: KubeObject['metadata'] = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
  if (metadata.namespace === undefined) {
    delete metadata.namespace;
  }
  return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata, spec: specReplicas !== 0 ? { replicas: specReplicas } : {}, status };
}

/** PUT of a Scale: sets the parent's spec replicas (resourceVersion precondition from the Scale). */
export async function updateScale(core: RegistryCore, desc: ResourceDescription, namespace: string | undefined, name: string, body: KubeObject, ctx: WriteContext): Promise<WriteResult> {
  const scale = cloneObject(body);
  scale.metadata ??= {};
  checkTypeMeta(desc, scale, scaleGvk);
  if (scale.metadata.name !== undefined && scale.metadata.name !== '' && scale.metadata.name !== name) {
    throw badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`);
  }
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid('autoscaling', 'Scale', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
  }
  const path = desc.scale?.specReplicasPath ?? '.spec.replicas';
  const res = await updateObject(core, desc, namespace, name, ctx, (cur) => {
    const obj = cur as KubeObject;
    writePath(obj, path, replicas);
    return obj;
  }, { subresource: 'scale', allowCreate: false, precondition: scale.metadata.resourceVersion });
  return { object: toScale(desc, res.object), created: false };
}

/** PATCH of a Scale: the patch applies to the Scale view, then it is written back like a PUT. */
export async function patchScale(core: RegistryCore, desc: ResourceDescription, namespace: string | undefined, name: string, current: KubeObject, type: PatchType, body: unknown, ctx: WriteContext): Promise<WriteResult> {
  const patch = decodePatchBody(type, body);
  const scale = toScale(desc, current);
  const patched = type === PatchType.Json ? applyJsonPatch(scale, patch) : applyMergePatch(scale, patch);
  if (patchPrecondition(type, patch) === undefined) {
    delete patched.metadata.resourceVersion;
  }
  return updateScale(core, desc, namespace, name, patched, ctx);
}

/** A metav1.Status Success body (what binding and eviction return). */
export function success(code: number): KubeObject {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
  return s as unknown as KubeObject;
}

/** POST pods/<name>/binding (or /bindings): assigns the pod to target.name once. */
export async function bindPod(core: RegistryCore, pods: ResourceDescription, namespace: string | undefined, podName: string, binding: KubeObject, ctx: WriteContext): Promise<KubeObject> {
  const target = (binding.target ?? {}) as { name?: string; kind?: string };
  if (binding.metadata?.name !== undefined && binding.metadata.name !== podName) {
    throw badRequest('name in URL does not match name in Binding object');
  }
  if (target.name === undefined || target.name === '') {
    throw invalid('', 'Binding', podName, [{ type: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  }
  const annotations = binding.metadata?.annotations ?? {};
  await updateObject(core, pods, namespace, podName, ctx, (cur) => {
    const pod = cur as KubeObject;
    const spec = (pod.spec ?? {}) as Obj;
    if (pod.metadata.deletionTimestamp !== undefined) {
      throw conflict('', 'pods/binding', podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
    }
    if (typeof spec.nodeName === 'string' && spec.nodeName !== '') {
      throw conflict('', 'pods/binding', podName, `pod ${podName} is already assigned to node "${spec.nodeName}"`);
    }
    spec.nodeName = target.name;
    pod.spec = spec;
    if (Object.keys(annotations).length > 0) {
      pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...annotations };
    }
    const status = (pod.status ?? {}) as Obj;
    const conditions = ((status.conditions as Obj[] | undefined) ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRfc3339() });
    status.conditions = conditions;
    pod.status = status;
    return pod;
  }, { subresource: 'binding', allowCreate: false, storeDirect: true });
  return success(201);
}
