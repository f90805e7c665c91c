/**
 * Content negotiation from the Accept header: which representation a response takes
 * (plain JSON/YAML, a meta.k8s.io Table, PartialObjectMetadata) and, for /api and /apis,
 * whether the aggregated discovery document was asked for.
 */
import { StatusError, StatusReason } from '../../api/errors.ts';

/** One media range from an Accept header, lower-cased type and raw parameters. */
export interface MediaRange {
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
  readonly q: number;
}

/** Splits an Accept header into media ranges, best first (by q, then order). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') {
    return [{ type: '*/*', params: {}, q: 1 }];
  }
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [typePart, ...paramParts] = part.split(';');
    const type = typePart.trim().toLowerCase();
    if (type === '') {
      continue;
    }
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq < 0) {
        continue;
      }
      const key = p.slice(0, eq).trim();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? n : 0;
      } else {
        params[key] = value;
      }
    }
    if (q > 0) {
      ranges.push({ type, params, q });
    }
  }
  return ranges.map((r, i) => ({ r, i })).sort((a, b) => b.r.q - a.r.q || a.i - b.i).map((x) => x.r);
}

export const Shape = { Object: 'Object', Table: 'Table', PartialObjectMetadata: 'PartialObjectMetadata', PartialObjectMetadataList: 'PartialObjectMetadataList' } as const;
export type Shape = (typeof Shape)[keyof typeof Shape];

/** What the response to a resource request should look like. */
export interface Representation {
  readonly shape: Shape;
  /** meta.k8s.io version for Table / PartialObjectMetadata(List). */
  readonly metaVersion: 'v1' | 'v1beta1';
  readonly encoding: 'json' | 'yaml';
  /** The Content-Type to answer with. */
  readonly contentType: string;
}

const jsonTypes = new Set(['application/json', '*/*', 'application/*']);
// Protobuf is asked for by typed clientsets, always with JSON as an alternative; JSON satisfied every client traced.
const protobufType = 'application/vnd.kubernetes.protobuf';

function plain(encoding: 'json' | 'yaml'): Representation {
  return { shape: Shape.Object, metaVersion: 'v1', encoding, contentType: encoding === 'json' ? 'application/json' : 'application/yaml' };
}

/** 406 with upstream's message. */
export function notAcceptable(): StatusError {
  return new StatusError(406, StatusReason.NotAcceptable, 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}

/**
 * The representation for a resource request. `transformable` says whether the verb may be
 * answered as Table / PartialObjectMetadata (get, list, watch). Throws 406 when nothing fits.
 */
export function negotiateResource(accept: string | undefined, transformable: boolean, isList: boolean, isWatch = false): Representation {
  for (const r of parseAccept(accept)) {
    const as = r.params.as;
    if (as === undefined) {
      if (jsonTypes.has(r.type) || r.type === protobufType) {
        return plain('json');
      }
      if (r.type === 'application/yaml') {
        return plain('yaml');
      }
      continue;
    }
    if (!transformable || (r.type !== 'application/json' && r.type !== 'application/yaml' && r.type !== protobufType)) {
      continue;
    }
    const g = r.params.g;
    const v = r.params.v;
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) {
      continue;
    }
    const encoding = r.type === 'application/yaml' ? 'yaml' : 'json';
    const mediaType = encoding === 'yaml' ? 'application/yaml' : 'application/json';
    if (as === 'Table') {
      return { shape: Shape.Table, metaVersion: v, encoding, contentType: `${mediaType};as=Table;v=${v};g=meta.k8s.io` };
    }
    // Watch events carry single objects; metadata-only watches name either form.
    if (isWatch && (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList')) {
      return { shape: Shape.PartialObjectMetadata, metaVersion: v, encoding, contentType: `${mediaType};as=${as};v=${v};g=meta.k8s.io` };
    }
    if (as === 'PartialObjectMetadata' && !isList) {
      return { shape: Shape.PartialObjectMetadata, metaVersion: v, encoding, contentType: `${mediaType};as=PartialObjectMetadata;v=${v};g=meta.k8s.io` };
    }
    if (as === 'PartialObjectMetadataList' && isList) {
      return { shape: Shape.PartialObjectMetadataList, metaVersion: v, encoding, contentType: `${mediaType};as=PartialObjectMetadataList;v=${v};g=meta.k8s.io` };
    }
  }
  throw notAcceptable();
}

/** For watches: events are JSON; each event object may be a one-row Table or a PartialObjectMetadata. */
export function negotiateWatch(accept: string | undefined): Representation {
  const rep = negotiateResource(accept, true, false, true);
  if (rep.encoding === 'json') {
    return rep;
  }
  return { ...rep, encoding: 'json', contentType: rep.contentType.replace('application/yaml', 'application/json') };
}

export const DiscoveryVersion = { V2: 'v2', V2Beta1: 'v2beta1' } as const;
export type DiscoveryVersion = (typeof DiscoveryVersion)[keyof typeof DiscoveryVersion];

/** For /api and /apis: the aggregated discovery version asked for, or undefined for the legacy documents. */
export function negotiateDiscovery(accept: string | undefined): DiscoveryVersion | undefined {
  for (const r of parseAccept(accept)) {
    if (r.params.as === 'APIGroupDiscoveryList' && r.params.g === 'apidiscovery.k8s.io' && (r.type === 'application/json' || r.type === protobufType)) {
      if (r.params.v === 'v2' || r.params.v === 'v2beta1') {
        return r.params.v;
      }
      continue;
    }
    if (r.params.as === undefined && (jsonTypes.has(r.type) || r.type === protobufType || r.type === 'application/yaml')) {
      return undefined;
    }
  }
  return undefined;
}

/** Content-Type of an aggregated discovery response (clients key the format off it). */
export function discoveryContentType(v: DiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
}
