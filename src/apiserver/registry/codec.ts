/**
 * Storage keys and the object codec: stored values are JSON without
 * metadata.resourceVersion; objects come out with resourceVersion = modRevision and
 * apiVersion/kind of the description that serves them.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/object.ts';
import { apiVersionOf } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { coreEventToEventsV1, eventsV1ToCoreEvent, hpaV1ToV2, hpaV2ToV1 } from '../../api/resources/index.ts';
import type { KeyValue } from '../../storage/interface.ts';
import { clone, freezeJson } from '../../api/patch/json-values.ts';

/** `/registry/<storagePrefix ?? resource>/` — the prefix the watch cache of desc covers. */
export function resourcePrefix(desc: ResourceDescription): string {
  return `/registry/${desc.storagePrefix ?? desc.resource}/`;
}

/** The prefix of one namespace (or the whole resource when namespace is undefined or cluster-scoped). */
export function scopePrefix(desc: ResourceDescription, namespace: string | undefined): string {
  return desc.namespaced && namespace !== undefined && namespace !== '' ? `${resourcePrefix(desc)}${namespace}/` : resourcePrefix(desc);
}

/** The key of one object. */
export function objectKey(desc: ResourceDescription, namespace: string | undefined, name: string): string {
  return desc.namespaced ? `${resourcePrefix(desc)}${namespace ?? ''}/${name}` : `${resourcePrefix(desc)}${name}`;
}

/** The stored JSON of obj (resourceVersion dropped: the store's revision is the truth). */
export function encodeObject(obj: KubeObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}

/**
 * A stored value and where its metadata object closes (index of its `}`; -1 when unknown), so
 * the JSON of the decoded object — the same text with resourceVersion last in metadata — is a
 * splice of this one instead of a second JSON.stringify.
 */
export interface EncodedObject {
  readonly json: string;
  readonly metaEnd: number;
  readonly metaEmpty: boolean;
  /** The object that was encoded (its resourceVersion ignored): see adoptWritten. */
  readonly source?: KubeObject;
}

// Stands in for metadata while the rest is stringified; no client can guess it (random per process).
const metaMark = `\u0000k8ts-metadata-${randomUUID()}`;
const metaMarkJson = `"metadata":${JSON.stringify(metaMark)}`;

/** encodeObject's text, with where its metadata ends. */
export function encodeObjectMarked(obj: KubeObject): EncodedObject {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  const metaJson = JSON.stringify(meta);
  const shell = JSON.stringify({ ...obj, metadata: metaMark });
  const at = shell.indexOf(metaMarkJson);
  if (at < 0 || shell.indexOf(metaMarkJson, at + 1) >= 0) {
    return { json: JSON.stringify({ ...obj, metadata: meta }), metaEnd: -1, metaEmpty: false };
  }
  const start = at + '"metadata":'.length;
  return { json: `${shell.slice(0, start)}${metaJson}${shell.slice(at + metaMarkJson.length)}`, metaEnd: start + metaJson.length - 1, metaEmpty: metaJson === '{}', source: obj };
}

/**
 * What decodeWithJson(kv, json) gives for a value this registry wrote by encoding `source`,
 * without parsing the value back: a shell around source's own members (metadata copied, with
 * resourceVersion last as decodeMutable puts it), frozen in place, undefined members dropped
 * and undefined array items made null as JSON.stringify did. A write's value is parsed and
 * frozen once per write for the watch cache; this is a freeze walk instead of a parse. The
 * writer must not change source's members afterwards: they now belong to the cache (frozen:
 * a change would throw). Undefined when source holds something JSON would not round-trip (a
 * non-finite number, a non-plain object): parse instead.
 */
export function adoptWritten(source: KubeObject, revision: number, json: string): KubeObject | undefined {
  const { resourceVersion: _rv, ...meta } = source.metadata;
  const obj: KubeObject = { ...source, metadata: { ...meta, resourceVersion: String(revision) } };
  attachJsonBox(obj, json);
  return freezeAsJson(obj) ? obj : undefined;
}

/** Freezes a JSON-shaped tree in place (as freezeJson) making it what a JSON round trip gives; false if it cannot be. */
function freezeAsJson(o: object): boolean {
  if (Object.isFrozen(o)) {
    return true; // a cached object's part: came from JSON (or from here) already
  }
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const x: unknown = o[i];
      if (x === undefined) {
        o[i] = null;
      } else if (!jsonMember(x)) {
        return false;
      }
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) {
      return false;
    }
    const r = o as Record<string, unknown>;
    for (const k in r) {
      const x = r[k];
      if (x === undefined) {
        delete r[k];
      } else if (!jsonMember(x)) {
        return false;
      }
    }
  }
  Object.freeze(o);
  return true;
}

function jsonMember(x: unknown): boolean {
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(x);
    case 'object':
      return x === null || freezeAsJson(x);
    default:
      return false;
  }
}

/** JSON.stringify(decodeObject(kv)) for a value written as enc: resourceVersion spliced in last in metadata, as decodeMutable appends it. */
export function servedJson(enc: EncodedObject, revision: number): string | undefined {
  if (enc.metaEnd < 0) {
    return undefined;
  }
  return `${enc.json.slice(0, enc.metaEnd)}${enc.metaEmpty ? '' : ','}"resourceVersion":"${revision}"${enc.json.slice(enc.metaEnd)}`;
}

/** Parses a stored value into a frozen object with resourceVersion set; undefined for garbage. */
export function decodeObject(kv: KeyValue): KubeObject | undefined {
  return decodeWithJson(kv, undefined);
}

/** decodeObject, with the object's JSON.stringify text already known (memoised for objectJson). */
export function decodeWithJson(kv: KeyValue, json: string | undefined): KubeObject | undefined {
  const obj = decodeMutable(kv);
  if (obj === undefined) {
    return undefined;
  }
  attachJsonBox(obj, json);
  return deepFreeze(obj);
}

/** A mutable deep copy of a (possibly frozen) object. */
export function cloneObject<T>(obj: T): T {
  return clone(obj);
}

/**
 * A stored value as a fresh, mutable object with resourceVersion set (what
 * `cloneObject(decodeObject(kv))` gives, without freezing and copying); undefined for garbage.
 */
export function decodeMutable(kv: KeyValue): KubeObject | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(kv.value);
  } catch {
    process.emitWarning(`registry: undecodable value at ${kv.key}`);
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return undefined;
  }
  const obj = parsed as KubeObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(kv.modRevision) };
  return obj;
}

/**
 * Converters between versions that share one storage but differ in shape (upstream serves
 * core/v1 and events.k8s.io/v1 Events from `/registry/events`, stored core-shaped, and
 * autoscaling/v1 and v2 HPAs from `/registry/horizontalpodautoscalers`, stored as v2).
 * Other versions differ only in apiVersion (CRDs: conversion strategy None).
 */
const converters: Readonly<Record<string, (obj: KubeObject) => KubeObject>> = {
  'v1/Event->events.k8s.io/v1/Event': coreEventToEventsV1,
  'events.k8s.io/v1/Event->v1/Event': eventsV1ToCoreEvent,
  'autoscaling/v2/HorizontalPodAutoscaler->autoscaling/v1/HorizontalPodAutoscaler': hpaV2ToV1,
  'autoscaling/v1/HorizontalPodAutoscaler->autoscaling/v2/HorizontalPodAutoscaler': hpaV1ToV2,
};

/** The shape storage keeps for a group/kind served in several shapes (upstream's storage version). */
const storageForms: Readonly<Record<string, { apiVersion: string; kind: string }>> = {
  'events.k8s.io/Event': { apiVersion: 'v1', kind: 'Event' },
  'autoscaling/HorizontalPodAutoscaler': { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
};

/** Where desc keeps its objects' shape in storage. */
function storedForm(desc: ResourceDescription): { apiVersion: string; kind: string } {
  return storageForms[`${desc.group}/${desc.kind}`] ?? { apiVersion: apiVersionOf(desc.group, desc.version), kind: desc.kind };
}

function convert(obj: KubeObject, apiVersion: string, kind: string): KubeObject {
  if (obj.apiVersion === apiVersion && obj.kind === kind) {
    return obj;
  }
  const converter = converters[`${obj.apiVersion ?? ''}/${obj.kind ?? ''}->${apiVersion}/${kind}`];
  if (converter !== undefined) {
    return converter(obj);
  }
  return { ...obj, apiVersion, kind };
}

/** obj as served by desc: apiVersion/kind of desc, converted when the stored shape differs (a copy only then). */
export function asServed(desc: ResourceDescription, obj: KubeObject): KubeObject {
  return convert(obj, apiVersionOf(desc.group, desc.version), desc.kind);
}

/** obj (as served by desc) in the shape desc's storage keeps. */
export function asStored(desc: ResourceDescription, obj: KubeObject): KubeObject {
  const form = storedForm(desc);
  return convert(obj, form.apiVersion, form.kind);
}

/** Freezes obj and everything below it (cached objects are shared by every reader). */
export function deepFreeze<T>(obj: T): T {
  return freezeJson(obj);
}

/** RFC 3339 with seconds precision, as metav1.Time serialises. */
export function nowRfc3339(offsetSeconds = 0): string {
  const second = Math.floor((Date.now() + offsetSeconds * 1000) / 1000);
  // Every write stamps a time or two: format each second once.
  if (second !== lastSecond) {
    lastSecond = second;
    lastStamp = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return lastStamp;
}

let lastSecond = NaN;
let lastStamp = '';

/** Where a cached object keeps its memoised JSON: a non-enumerable, unfrozen box (invisible to JSON, spread and clone). */
const jsonBox = Symbol('k8ts.json');
interface JsonBox {
  json: string | undefined;
}

function attachJsonBox(obj: object, json: string | undefined): void {
  Object.defineProperty(obj, jsonBox, { value: { json } satisfies JsonBox, enumerable: false });
}

/** JSON.stringify(obj), memoised for the cache's shared objects. */
export function objectJson(obj: KubeObject): string {
  const box = (obj as unknown as Record<symbol, JsonBox | undefined>)[jsonBox];
  if (box === undefined) {
    return JSON.stringify(obj);
  }
  box.json ??= JSON.stringify(obj);
  return box.json;
}

/**
 * The text of JSON.stringify(list) around its items: `before` ends with `"items":[` and
 * `after` starts with `]`, so `before + items.join(',') + after` is the whole list.
 */
export function listJsonEnvelope(list: { readonly items: readonly KubeObject[] }): { before: string; after: string } {
  const head = JSON.stringify({ ...list, items: [] });
  // items may sit anywhere among the keys; the last `"items":[]` is the list's own (metadata comes first and holds no such text at its end).
  const marker = '"items":[]';
  const at = head.lastIndexOf(marker);
  return { before: `${head.slice(0, at)}"items":[`, after: head.slice(at + marker.length - 1) };
}

/** JSON.stringify(list) built from memoised item JSON (same text, much less work for large lists). */
export function listJson(list: { readonly items: readonly KubeObject[] }): string {
  const { before, after } = listJsonEnvelope(list);
  const parts = new Array<string>(list.items.length);
  for (let i = 0; i < list.items.length; i++) {
    parts[i] = objectJson(list.items[i]);
  }
  return `${before}${parts.join(',')}${after}`;
}
