/**
 * OpenAPI documents served by the API server, built from the schema registry and the
 * served resources: the v3 index and per-group-version documents, and the v2 (swagger 2.0)
 * document as JSON or gnostic protobuf. Documents are cached per input fingerprint; a CRD change or a change in
 * served resources yields a new document and a new hash.
 */
import { createHash } from 'node:crypto';
import type { ResourceDescription } from '../resource.ts';
import { customRevision, getSchema, isCustom } from '../schema/index.ts';
import { buildV2Document } from './v2.ts';
import { negotiateOpenApiV2, renderOpenApiV2 } from './v2-proto.ts';
import type { AcceptedRange, OpenApiV2Rendering } from './v2-proto.ts';
import { buildV3Document, gvPathOf } from './v3.ts';

/** The Kubernetes version our documents describe (info.version). */
export const openApiVersion = 'v1.35.0';

/** Bump when the document builders change shape, so clients refetch. */
const builderVersion = '1';

function fingerprint(resources: readonly ResourceDescription[]): string {
  const h = createHash('sha512');
  h.update(builderVersion);
  for (const r of resources) {
    // Functions (field selectors) are not part of the document; everything else is.
    h.update(JSON.stringify({ ...r, fieldSelectors: Object.keys(r.fieldSelectors) }));
    // Built-in schemas are fixed for a build (builderVersion); only CRD schemas change at run time.
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    h.update(JSON.stringify(isCustom(gvk) ? (getSchema(gvk) ?? null) : null));
  }
  return h.digest('hex').toUpperCase();
}

function byGroupVersion(resources: readonly ResourceDescription[]): Map<string, ResourceDescription[]> {
  const out = new Map<string, ResourceDescription[]>();
  for (const r of resources) {
    const gv = gvPathOf(r);
    const list = out.get(gv) ?? [];
    list.push(r);
    out.set(gv, list);
  }
  return out;
}

const hashCache = new Map<string, { revision: number; resources: readonly ResourceDescription[]; hash: string }>();

function hashOf(gvPath: string, resources: readonly ResourceDescription[]): string {
  const cached = hashCache.get(gvPath);
  const revision = customRevision();
  if (cached !== undefined && cached.revision === revision && sameResources(cached.resources, resources)) {
    return cached.hash;
  }
  const hash = fingerprint(resources);
  hashCache.set(gvPath, { revision, resources, hash });
  return hash;
}

function sameResources(a: readonly ResourceDescription[], b: readonly ResourceDescription[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

/** `/openapi/v3`: `{paths: {"api/v1": {serverRelativeURL: "/openapi/v3/api/v1?hash=…"}, ...}}`. */
export function openApiV3Index(resources: readonly ResourceDescription[]): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const groups = byGroupVersion(resources);
  for (const gv of [...groups.keys()].sort()) {
    paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hashOf(gv, groups.get(gv)!)}` };
  }
  return { paths };
}

const docCache = new Map<string, { hash: string; doc: Record<string, unknown> }>();

/** `/openapi/v3/<api/v1|apis/g/v>`; undefined when no served resource is in that group-version. */
export function openApiV3Document(groupVersionPath: string, resources: readonly ResourceDescription[]): Record<string, unknown> | undefined {
  const inGv = byGroupVersion(resources).get(groupVersionPath);
  if (inGv === undefined) {
    return undefined;
  }
  const hash = hashOf(groupVersionPath, inGv);
  const cached = docCache.get(groupVersionPath);
  if (cached !== undefined && cached.hash === hash) {
    return cached.doc;
  }
  const doc = buildV3Document(groupVersionPath, inGv, openApiVersion);
  docCache.set(groupVersionPath, { hash, doc });
  return doc;
}

/** The content hash `openApiV3Index` advertises for a group-version (for ETag / cache headers). */
export function openApiV3Hash(groupVersionPath: string, resources: readonly ResourceDescription[]): string | undefined {
  const inGv = byGroupVersion(resources).get(groupVersionPath);
  return inGv === undefined ? undefined : hashOf(groupVersionPath, inGv);
}

let v2Cache: { hash: string; doc: Record<string, unknown> } | undefined;

/** `/openapi/v2` as the swagger 2.0 JSON object (cached per served resources and CRD schemas). */
export function openApiV2(resources: readonly ResourceDescription[]): Record<string, unknown> {
  const hash = fingerprint(resources) + String(customRevision());
  if (v2Cache?.hash !== hash) {
    v2Cache = { hash, doc: buildV2Document(resources, openApiVersion) };
    v2Renderings.clear();
  }
  return v2Cache.doc;
}

const v2Renderings = new Map<'protobuf' | 'json', Promise<OpenApiV2Rendering>>();

/** What to answer a GET of `/openapi/v2`: undefined when no acceptable representation exists (406). */
export interface OpenApiV2Response {
  readonly status: 200 | 304;
  readonly contentType: string;
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

/**
 * `/openapi/v2` negotiated as upstream does: gnostic protobuf for kubectl's
 * `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, JSON for JSON; each
 * representation rendered once per document, with its own ETag; a matching If-None-Match is 304.
 */
export async function openApiV2Response(resources: readonly ResourceDescription[], accepted: readonly AcceptedRange[], ifNoneMatch: string | undefined): Promise<OpenApiV2Response | undefined> {
  const format = negotiateOpenApiV2(accepted);
  if (format === undefined) {
    return undefined;
  }
  const doc = openApiV2(resources);
  let rendering = v2Renderings.get(format);
  if (rendering === undefined) {
    rendering = renderOpenApiV2(doc, format);
    v2Renderings.set(format, rendering);
  }
  const r = await rendering;
  const headers = { ETag: r.etag, Vary: 'Accept' };
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === r.etag || t.trim() === '*')) {
    return { status: 304, contentType: r.contentType, body: Buffer.alloc(0), headers };
  }
  return { status: 200, contentType: r.contentType, body: r.body, headers };
}
