/**
 * The REST operations upstream documents for a served resource (list, create, get, replace,
 * patch, delete, deletecollection, watch, status/scale and other subresources), in a form
 * independent of the OpenAPI version; v2.ts and v3.ts render them.
 */
import type { GroupVersionKind } from '../object.ts';
import type { ResourceDescription, SubresourceDescription } from '../resource.ts';
import { supportsStrategicMergePatch } from '../patch/index.ts';
import { operationGroupVersion, operationTag, urlBase } from './naming.ts';
import { deleteParameters, dryRun, fieldManager, fieldValidation, force, listParameters, nameParameter, namespaceParameter, pretty } from './parameters.ts';
import type { ParameterSpec } from './parameters.ts';

export const metaPkg = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** What an operation answers: a definition name, a plain string, or nothing (Unauthorized). */
export interface ResponseSpec {
  description: string;
  schema?: { definition: string } | { type: 'string' };
  /** Watch streams answer with the stream media types. */
  stream?: boolean;
}

/** One documented operation. */
export interface OperationSpec {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  action: 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist' | 'connect';
  operationId: string;
  description: string;
  tag: string;
  gvk?: GroupVersionKind;
  parameters: ParameterSpec[];
  /** `strategic: false` for kinds that refuse strategic merge patch (custom resources, like upstream). */
  body?: { definition: string; patch?: boolean; strategic?: boolean };
  responses: Record<string, ResponseSpec>;
}

/** One documented path with its path-level parameters. */
export interface PathSpec {
  path: string;
  parameters: ParameterSpec[];
  operations: OperationSpec[];
}

/** Resolves a kind to its definition name (built-in or custom); undefined when it has no schema. */
export type DefinitionNamer = (gvk: GroupVersionKind) => string | undefined;

const unauthorized: ResponseSpec = { description: 'Unauthorized' };

function ok(definition: string | undefined, stream = false): ResponseSpec {
  return definition === undefined ? { description: 'OK' } : { description: 'OK', schema: { definition }, stream };
}

/** Every path and operation upstream documents for one resource. */
export function resourcePaths(r: ResourceDescription, nameOf: DefinitionNamer): PathSpec[] {
  const gvk: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
  const def = nameOf(gvk);
  const listDef = nameOf({ ...gvk, kind: r.listKind });
  const gv = operationGroupVersion(r.group, r.version);
  const tag = operationTag(r.group, r.version);
  const scope = r.namespaced ? 'Namespaced' : '';
  const base = urlBase(r);
  const nsPath = r.namespaced ? `/namespaces/{namespace}` : '';
  const collection = `${base}${nsPath}/${r.resource}`;
  const item = `${collection}/{name}`;
  const nsParams = r.namespaced ? [namespaceParameter] : [];
  const has = (v: string): boolean => (r.verbs as readonly string[]).includes(v);
  const writeParams = [dryRun, fieldManager, fieldValidation];
  const watchEvent = `${metaPkg}.WatchEvent`;
  const status = `${metaPkg}.Status`;
  const paths: PathSpec[] = [];

  const collectionOps: OperationSpec[] = [];
  if (has('list')) {
    collectionOps.push({ method: 'get', action: 'list', operationId: `list${gv}${scope}${r.kind}`, description: `list or watch objects of kind ${r.kind}`, tag, gvk, parameters: listParameters, responses: { '200': ok(listDef), '401': unauthorized } });
  }
  if (has('create')) {
    collectionOps.push({
      method: 'post', action: 'post', operationId: `create${gv}${scope}${r.kind}`, description: `create a ${r.kind}`, tag, gvk, parameters: writeParams,
      body: def === undefined ? undefined : { definition: def },
      responses: { '200': ok(def), '201': { ...ok(def), description: 'Created' }, '202': { ...ok(def), description: 'Accepted' }, '401': unauthorized },
    });
  }
  if (has('deletecollection')) {
    collectionOps.push({
      method: 'delete', action: 'deletecollection', operationId: `delete${gv}Collection${scope}${r.kind}`, description: `delete collection of ${r.kind}`, tag, gvk,
      parameters: [...deleteParameters, ...listParameters.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
      body: { definition: `${metaPkg}.DeleteOptions` }, responses: { '200': ok(status), '401': unauthorized },
    });
  }
  if (collectionOps.length > 0) {
    paths.push({ path: collection, parameters: [...nsParams, pretty], operations: collectionOps });
  }

  const itemOps: OperationSpec[] = [];
  if (has('get')) {
    itemOps.push({ method: 'get', action: 'get', operationId: `read${gv}${scope}${r.kind}`, description: `read the specified ${r.kind}`, tag, gvk, parameters: [], responses: { '200': ok(def), '401': unauthorized } });
  }
  if (has('update')) {
    itemOps.push({
      method: 'put', action: 'put', operationId: `replace${gv}${scope}${r.kind}`, description: `replace the specified ${r.kind}`, tag, gvk, parameters: writeParams,
      body: def === undefined ? undefined : { definition: def }, responses: { '200': ok(def), '201': { ...ok(def), description: 'Created' }, '401': unauthorized },
    });
  }
  if (has('delete')) {
    itemOps.push({
      method: 'delete', action: 'delete', operationId: `delete${gv}${scope}${r.kind}`, description: `delete a ${r.kind}`, tag, gvk, parameters: deleteParameters,
      body: { definition: `${metaPkg}.DeleteOptions` }, responses: { '200': ok(def ?? status), '202': { ...ok(def ?? status), description: 'Accepted' }, '401': unauthorized },
    });
  }
  if (has('patch')) {
    itemOps.push({
      method: 'patch', action: 'patch', operationId: `patch${gv}${scope}${r.kind}`, description: `partially update the specified ${r.kind}`, tag, gvk, parameters: [...writeParams, force],
      body: { definition: `${metaPkg}.Patch`, patch: true, strategic: supportsStrategicMergePatch(gvk) }, responses: { '200': ok(def), '201': { ...ok(def), description: 'Created' }, '401': unauthorized },
    });
  }
  if (itemOps.length > 0) {
    paths.push({ path: item, parameters: [nameParameter(r.kind), ...nsParams, pretty], operations: itemOps });
  }

  for (const sub of r.subresources) {
    const spec = subresourcePath(r, sub, item, nsParams, nameOf);
    if (spec !== undefined) {
      paths.push(spec);
    }
  }

  if (has('watch')) {
    const watchParams = [...nsParams, pretty];
    paths.push({ path: `${base}/watch${nsPath}/${r.resource}`, parameters: watchParams, operations: [{ method: 'get', action: 'watchlist', operationId: `watch${gv}${scope}${r.kind}List`, description: `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`, tag, gvk, parameters: listParameters, responses: { '200': ok(watchEvent, true), '401': unauthorized } }] });
    paths.push({ path: `${base}/watch${nsPath}/${r.resource}/{name}`, parameters: [nameParameter(r.kind), ...watchParams], operations: [{ method: 'get', action: 'watch', operationId: `watch${gv}${scope}${r.kind}`, description: `watch changes to an object of kind ${r.kind}. deprecated: use the 'watch' parameter with a list operation, filtered to a single item with the 'fieldSelector' parameter.`, tag, gvk, parameters: listParameters, responses: { '200': ok(watchEvent, true), '401': unauthorized } }] });
  }
  if (r.namespaced && has('list')) {
    paths.push({ path: `${base}/${r.resource}`, parameters: [pretty], operations: [{ method: 'get', action: 'list', operationId: `list${gv}${r.kind}ForAllNamespaces`, description: `list or watch objects of kind ${r.kind}`, tag, gvk, parameters: listParameters, responses: { '200': ok(listDef), '401': unauthorized } }] });
    if (has('watch')) {
      paths.push({ path: `${base}/watch/${r.resource}`, parameters: [pretty], operations: [{ method: 'get', action: 'watchlist', operationId: `watch${gv}${r.kind}ListForAllNamespaces`, description: `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`, tag, gvk, parameters: listParameters, responses: { '200': ok(watchEvent, true), '401': unauthorized } }] });
    }
  }
  return paths;
}

const connectSubresources = new Set(['exec', 'attach', 'portforward', 'proxy']);

function subresourcePath(r: ResourceDescription, sub: SubresourceDescription, item: string, nsParams: ParameterSpec[], nameOf: DefinitionNamer): PathSpec | undefined {
  const gv = operationGroupVersion(r.group, r.version);
  const tag = operationTag(r.group, r.version);
  const scope = r.namespaced ? 'Namespaced' : '';
  const suffix = sub.name.split(/[^a-z0-9]/i).map((w) => (w === '' ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
  const opKind = `${scope}${r.kind}${suffix}`;
  const gvk: GroupVersionKind | undefined = sub.kind === '' ? undefined : { group: sub.group, version: sub.version, kind: sub.kind };
  const def = gvk === undefined ? undefined : nameOf(gvk);
  const writeParams = [dryRun, fieldManager, fieldValidation];
  const ops: OperationSpec[] = [];
  const what = sub.name === 'status' ? `status of the specified ${r.kind}` : sub.name === 'scale' ? `scale of the specified ${r.kind}` : `${sub.name} of the specified ${r.kind}`;
  for (const verb of sub.verbs) {
    if (connectSubresources.has(sub.name)) {
      const method = verb === 'create' ? 'post' : verb === 'get' ? 'get' : undefined;
      if (method !== undefined) {
        ops.push({ method, action: 'connect', operationId: `connect${capitalizeMethod(method)}${gv}${opKind}`, description: `connect ${method.toUpperCase()} requests to ${sub.name} of ${r.kind}`, tag, gvk: { group: sub.kind === '' ? r.group : sub.group, version: sub.kind === '' ? r.version : sub.version, kind: sub.kind === '' ? r.kind : sub.kind }, parameters: [], responses: { '200': { description: 'OK', schema: { type: 'string' } }, '401': unauthorized } });
      }
      continue;
    }
    if (verb === 'get') {
      const response: ResponseSpec = def === undefined ? { description: 'OK', schema: { type: 'string' } } : ok(def);
      ops.push({ method: 'get', action: 'get', operationId: `read${gv}${opKind}`, description: `read ${what}`, tag, gvk, parameters: [], responses: { '200': response, '401': unauthorized } });
    } else if (verb === 'update') {
      ops.push({ method: 'put', action: 'put', operationId: `replace${gv}${opKind}`, description: `replace ${what}`, tag, gvk, parameters: writeParams, body: def === undefined ? undefined : { definition: def }, responses: { '200': ok(def), '201': { ...ok(def), description: 'Created' }, '401': unauthorized } });
    } else if (verb === 'patch') {
      ops.push({ method: 'patch', action: 'patch', operationId: `patch${gv}${opKind}`, description: `partially update ${what}`, tag, gvk, parameters: [...writeParams, force], body: { definition: `${metaPkg}.Patch`, patch: true, strategic: gvk === undefined || supportsStrategicMergePatch(gvk) }, responses: { '200': ok(def), '201': { ...ok(def), description: 'Created' }, '401': unauthorized } });
    } else if (verb === 'create') {
      ops.push({ method: 'post', action: 'post', operationId: `create${gv}${opKind}`, description: `create ${sub.name} of a ${r.kind}`, tag, gvk, parameters: writeParams, body: def === undefined ? undefined : { definition: def }, responses: { '200': ok(def), '201': { ...ok(def), description: 'Created' }, '202': { ...ok(def), description: 'Accepted' }, '401': unauthorized } });
    }
  }
  if (ops.length === 0) {
    return undefined;
  }
  return { path: `${item}/${sub.name}`, parameters: [nameParameter(sub.kind === '' ? r.kind : sub.kind), ...nsParams, pretty], operations: ops };
}

function capitalizeMethod(m: string): string {
  return m[0]!.toUpperCase() + m.slice(1);
}
