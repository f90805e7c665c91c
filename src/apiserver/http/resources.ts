/**
 * Resource requests: verb dispatch for `/api/v1/...` and `/apis/<g>/<v>/...` paths onto the
 * Registry (get, list, watch, create, update, patch, delete, deletecollection, subresources),
 * with upstream's status codes and response shapes.
 */
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { badRequest, StatusError, StatusReason } from '../../api/errors.ts';
import type { KubeList, KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import type { Registry, UserInfo, WriteContext } from '../registry/types.ts';
import { objectJson } from '../registry/codec.ts';
import { decodeBody, decodeObjectBody, decodePatchBody, patchTypeOf, readBody } from './body.ts';
import type { RequestLabels } from './metrics.ts';
import { negotiateResource, negotiateWatch, Shape, type Representation } from './negotiate.ts';
import { boolParam, isWatchRequest, parseDeleteOptions, parseDryRun, parseFieldManager, parseFieldValidation, parseListQuery, parseWatchQuery } from './query.ts';
import { encode, send, setWarnings, type AnyResponse } from './respond.ts';
import { answerReview, isReviewResource } from './reviews.ts';
import type { Authorizer } from '../authz/types.ts';
import type { ResourceRoute } from './routes.ts';
import { listTableMeta, objectTableMeta, parseIncludeObject, partialObjectMetadata, partialObjectMetadataList, toTable } from './transform.ts';
import { serveWatch } from './watch.ts';
import { sendListJson } from './list-stream.ts';

/** Subresources that stream or upgrade (logs, exec, port-forward, proxy): served by a ConnectHandler when one is given. */
export const connectSubresources: ReadonlySet<string> = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

/** What a connect-style subresource handler receives. */
export interface ConnectRequest {
  readonly desc: ResourceDescription;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly subresource: string;
  readonly subpath: string | undefined;
  readonly query: URLSearchParams;
  readonly user: UserInfo;
}

/** Serves `pods/<name>/log`, `exec`, ... (kubelet proxying lives elsewhere); must answer the request. */
export type ConnectHandler = (req: IncomingMessage | Http2ServerRequest, res: AnyResponse, connect: ConnectRequest) => Promise<void>;

/** One resource request, as the handler hands it over. */
export interface ResourceRequest {
  readonly req: IncomingMessage | Http2ServerRequest;
  readonly res: AnyResponse;
  readonly user: UserInfo;
  readonly route: ResourceRoute;
  readonly query: URLSearchParams;
  readonly registry: Registry;
  readonly connect: ConnectHandler | undefined;
  /** Answers the access reviews (the request itself was authorized before it got here). */
  readonly authorizer: Authorizer;
  /** Filled in as soon as the verb is known (for metrics). */
  labels: RequestLabels;
  /** Marks a long-running request (watch) for metrics; returns its end marker. */
  readonly longRunning: (labels: RequestLabels, kind: string) => () => void;
}

/** 404 for paths that name no served resource (upstream's generic message). */
export function pathNotFound(): StatusError {
  return new StatusError(404, StatusReason.NotFound, 'the server could not find the requested resource', {});
}

/** 405 with upstream's generic message. */
export function methodNotAllowed(): StatusError {
  return new StatusError(405, StatusReason.MethodNotAllowed, 'the server does not allow this method on the requested resource', {});
}

function apiVersionOfDesc(desc: ResourceDescription): string {
  return desc.group === '' ? desc.version : `${desc.group}/${desc.version}`;
}

// Upstream returns the deleted object (not a Status) for these built-ins and for every custom resource.
const returnsDeletedObject = new Set(['/pods', '/serviceaccounts', '/services', '/namespaces', 'storage.k8s.io/storageclasses']);
function isCustomGroup(group: string): boolean {
  return group.includes('.') && !group.endsWith('.k8s.io') && !group.endsWith('.kubernetes.io') && group !== 'k8s.io';
}

function writeContext(r: ResourceRequest, optionsKind: string, dryRunFromBody: boolean | undefined = undefined): WriteContext {
  const ua = r.req.headers['user-agent'];
  return {
    user: r.user,
    dryRun: dryRunFromBody ?? parseDryRun(r.query.getAll('dryRun').filter((v) => v !== ''), optionsKind),
    fieldManager: parseFieldManager(r.query, typeof ua === 'string' ? ua : undefined, optionsKind),
    fieldValidation: parseFieldValidation(r.query, optionsKind),
    warnings: [],
    authorizer: r.authorizer,
  };
}

function wantsPretty(r: ResourceRequest): boolean {
  const ua = r.req.headers['user-agent'] ?? '';
  return boolParam(r.query, 'pretty', /curl|wget/i.test(typeof ua === 'string' ? ua : ''));
}

function reply(r: ResourceRequest, code: number, rep: Representation, value: unknown, warnings: readonly string[] = []): void {
  setWarnings(r.res, warnings);
  const pretty = wantsPretty(r);
  // Compact JSON of an object: the same text as encode(), taken from the watch cache's memo when
  // value is its shared copy (a write's answer), so the watch events reuse it or it reuses theirs.
  const body = rep.encoding === 'json' && !pretty && isPlainObject(value) ? `${objectJson(value as KubeObject)}\n` : encode(value, rep.encoding, pretty);
  send(r.res, code, rep.contentType, body);
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fills TypeMeta and checks it and the namespace/name against the URL, like upstream's handlers. */
function checkBody(desc: ResourceDescription, body: Record<string, unknown>, namespace: string | undefined, name: string | undefined, mainResource: boolean): KubeObject {
  const metadata = typeof body.metadata === 'object' && body.metadata !== null && !Array.isArray(body.metadata) ? { ...(body.metadata as Record<string, unknown>) } : {};
  const obj = { ...body, metadata } as KubeObject;
  if (mainResource) {
    const expected = apiVersionOfDesc(desc);
    if (typeof body.apiVersion === 'string' && body.apiVersion !== '' && body.apiVersion !== expected) {
      throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`);
    }
    if (typeof body.kind === 'string' && body.kind !== '' && body.kind !== desc.kind) {
      throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${desc.kind})`);
    }
    obj.apiVersion = expected;
    obj.kind = desc.kind;
  }
  if (desc.namespaced && namespace !== undefined) {
    const bodyNs = obj.metadata.namespace;
    if (bodyNs === undefined || bodyNs === '') {
      obj.metadata.namespace = namespace;
    } else if (bodyNs !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
  }
  if (mainResource && name !== undefined) {
    const bodyName = obj.metadata.name;
    if (bodyName === undefined || bodyName === '') {
      obj.metadata.name = name;
    } else if (bodyName !== name) {
      throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    }
  }
  return obj;
}

function requireVerb(verbs: readonly string[], verb: string): void {
  if (!verbs.includes(verb)) {
    throw methodNotAllowed();
  }
}

function label(r: ResourceRequest, verb: string): void {
  r.labels = { ...r.labels, verb };
}

async function handleGet(r: ResourceRequest, desc: ResourceDescription, subVerbs: readonly string[] | undefined): Promise<void> {
  const { route, registry } = r;
  const includeObject = parseIncludeObject(r.query.get('includeObject'));
  const watching = route.legacyWatch || (route.name === undefined && isWatchRequest(r.query));
  if (watching) {
    label(r, 'WATCH');
    requireVerb(desc.verbs, 'watch');
    if (route.subresource !== undefined) {
      throw pathNotFound();
    }
    const query = parseWatchQuery(r.query, route.name === undefined ? undefined : `metadata.name=${route.name}`);
    const representation = negotiateWatch(r.req.headers.accept);
    const ended = r.longRunning(r.labels, desc.kind);
    try {
      await serveWatch({ registry, desc, namespace: route.namespace, query, representation, includeObject, res: r.res });
    } finally {
      ended();
    }
    return;
  }
  if (route.name === undefined) {
    label(r, 'LIST');
    requireVerb(desc.verbs, 'list');
    const rep = negotiateResource(r.req.headers.accept, true, true);
    const list: KubeList = await registry.list(desc, route.namespace, parseListQuery(r.query));
    if (rep.shape === Shape.Table) {
      reply(r, 200, rep, toTable(desc, list.items, listTableMeta(list), { metaVersion: rep.metaVersion, includeObject, withColumns: true, now: new Date() }));
    } else if (rep.shape === Shape.PartialObjectMetadataList) {
      reply(r, 200, rep, partialObjectMetadataList(list, rep.metaVersion));
    } else if (rep.encoding === 'json' && !wantsPretty(r)) {
      // Plain JSON lists reuse each cached object's memoised JSON (same bytes as JSON.stringify), streamed when large.
      await sendListJson(r.res, rep.contentType, list);
    } else {
      reply(r, 200, rep, list);
    }
    return;
  }
  label(r, 'GET');
  requireVerb(subVerbs ?? desc.verbs, 'get');
  const rep = negotiateResource(r.req.headers.accept, route.subresource === undefined, false);
  const obj = await registry.get(desc, route.namespace, route.name, route.subresource);
  if (rep.shape === Shape.Table) {
    reply(r, 200, rep, toTable(desc, [obj], objectTableMeta(obj), { metaVersion: rep.metaVersion, includeObject, withColumns: true, now: new Date() }));
  } else if (rep.shape === Shape.PartialObjectMetadata) {
    reply(r, 200, rep, partialObjectMetadata(obj, rep.metaVersion));
  } else {
    reply(r, 200, rep, obj);
  }
}

async function handleDelete(r: ResourceRequest, desc: ResourceDescription): Promise<void> {
  const { route, registry } = r;
  const raw = await readBody(r.req);
  const body = raw.length === 0 ? undefined : await decodeBody(raw, r.req.headers['content-type']);
  const { options, dryRun } = parseDeleteOptions(r.query, body);
  const rep = negotiateResource(r.req.headers.accept, false, false);
  if (route.name === undefined) {
    label(r, 'DELETECOLLECTION');
    requireVerb(desc.verbs, 'deletecollection');
    const ctx = writeContext(r, 'DeleteOptions', dryRun);
    const list = await registry.deleteCollection(desc, route.namespace, parseListQuery(r.query), options, ctx);
    reply(r, 200, rep, list, ctx.warnings);
    return;
  }
  label(r, 'DELETE');
  requireVerb(desc.verbs, 'delete');
  const ctx = writeContext(r, 'DeleteOptions', dryRun);
  const result = await registry.delete(desc, route.namespace, route.name, options, ctx);
  if (!result.finished) {
    // Upstream answers 202 only when cascading deletion was asked for explicitly (orphanDependents=false).
    reply(r, options.orphanDependents === false ? 202 : 200, rep, result.object, ctx.warnings);
    return;
  }
  if (returnsDeletedObject.has(`${desc.group}/${desc.resource}`) || isCustomGroup(desc.group)) {
    reply(r, 200, rep, result.object, ctx.warnings);
    return;
  }
  const details: Record<string, unknown> = { name: result.object.metadata.name ?? route.name };
  if (desc.group !== '') {
    details.group = desc.group;
  }
  details.kind = desc.resource;
  if (result.object.metadata.uid !== undefined) {
    details.uid = result.object.metadata.uid;
  }
  reply(r, 200, rep, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details }, ctx.warnings);
}

/** Serves one resource request; throws StatusError for the caller to render. */
export async function handleResource(r: ResourceRequest): Promise<void> {
  const { route, registry } = r;
  const method = (r.req.method ?? 'GET').toUpperCase();
  const review = isReviewResource(route.group, route.version, route.resource);
  const desc = registry.resolve(route.group, route.version, route.resource) ?? review;
  if (desc === undefined) {
    throw pathNotFound();
  }
  if ((!desc.namespaced && route.namespace !== undefined) || (desc.namespaced && route.namespace === undefined && route.name !== undefined)) {
    throw pathNotFound();
  }
  const sub = route.subresource === undefined ? undefined : desc.subresources.find((s) => s.name === route.subresource);
  if (route.subresource !== undefined && connectSubresources.has(route.subresource) && r.connect !== undefined && route.name !== undefined) {
    label(r, method === 'GET' ? 'CONNECT' : method);
    await r.connect(r.req, r.res, { desc, namespace: route.namespace, name: route.name, subresource: route.subresource, subpath: route.subpath, query: r.query, user: r.user });
    return;
  }
  if ((route.subresource !== undefined && sub === undefined) || route.subpath !== undefined) {
    throw pathNotFound();
  }
  const clusterWideList = desc.namespaced && route.namespace === undefined;
  if (clusterWideList && method !== 'GET') {
    throw methodNotAllowed();
  }
  if (review !== undefined && desc === review) {
    label(r, method);
    if (method !== 'POST' || route.name !== undefined) {
      throw methodNotAllowed();
    }
    const body = await decodeObjectBody(await readBody(r.req), r.req.headers['content-type']);
    const rep = negotiateResource(r.req.headers.accept, false, false);
    reply(r, 201, rep, answerReview(desc, body, r.user, r.authorizer));
    return;
  }
  switch (method) {
    case 'GET':
      return handleGet(r, desc, sub?.verbs);
    case 'POST': {
      label(r, 'POST');
      if (route.name !== undefined && sub === undefined) {
        throw methodNotAllowed();
      }
      requireVerb(sub?.verbs ?? desc.verbs, 'create');
      const ctx = writeContext(r, 'CreateOptions');
      const body = await decodeObjectBody(await readBody(r.req), r.req.headers['content-type']);
      const rep = negotiateResource(r.req.headers.accept, false, false);
      const obj = checkBody(desc, body, route.namespace, undefined, sub === undefined);
      const created = await registry.create(desc, route.namespace, obj, ctx, route.subresource, route.name);
      reply(r, 201, rep, created, ctx.warnings);
      return;
    }
    case 'PUT': {
      label(r, 'PUT');
      if (route.name === undefined) {
        throw methodNotAllowed();
      }
      requireVerb(sub?.verbs ?? desc.verbs, 'update');
      const ctx = writeContext(r, 'UpdateOptions');
      const body = await decodeObjectBody(await readBody(r.req), r.req.headers['content-type']);
      const rep = negotiateResource(r.req.headers.accept, false, false);
      const obj = checkBody(desc, body, route.namespace, route.name, sub === undefined || sub.kind === desc.kind);
      const result = await registry.update(desc, route.namespace, route.name, obj, ctx, route.subresource);
      reply(r, result.created ? 201 : 200, rep, result.object, ctx.warnings);
      return;
    }
    case 'PATCH': {
      if (route.name === undefined) {
        label(r, 'PATCH');
        throw methodNotAllowed();
      }
      const type = patchTypeOf(r.req.headers['content-type']);
      label(r, type === 'application/apply-patch+yaml' ? 'APPLY' : 'PATCH');
      requireVerb(sub?.verbs ?? desc.verbs, 'patch');
      const ctx = writeContext(r, 'PatchOptions');
      if (type === 'application/apply-patch+yaml' && (r.query.get('fieldManager') ?? '') === '') {
        throw new StatusError(422, StatusReason.Invalid, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] });
      }
      const force = boolParam(r.query, 'force');
      if (force && type !== 'application/apply-patch+yaml') {
        throw new StatusError(422, StatusReason.Invalid, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch', { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' }] });
      }
      const body = decodePatchBody(await readBody(r.req), type);
      const rep = negotiateResource(r.req.headers.accept, false, false);
      const result = await registry.patch(desc, route.namespace, route.name, type, body, ctx, { force, subresource: route.subresource });
      reply(r, result.created ? 201 : 200, rep, result.object, ctx.warnings);
      return;
    }
    case 'DELETE':
      if (sub !== undefined) {
        label(r, 'DELETE');
        throw methodNotAllowed();
      }
      return handleDelete(r, desc);
    default:
      label(r, method);
      throw methodNotAllowed();
  }
}
