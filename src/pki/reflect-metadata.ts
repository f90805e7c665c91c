/**
 * A minimal `Reflect` metadata polyfill: @peculiar/x509 pulls in tsyringe, which refuses to
 * load without `Reflect.getMetadata`, and the `reflect-metadata` package is not a dependency.
 * Only the calls tsyringe makes are provided; an existing implementation is left alone.
 */
type MetadataMap = Map<unknown, unknown>;
const store = new WeakMap<object, Map<PropertyKey | undefined, MetadataMap>>();

function table(target: object, key: PropertyKey | undefined, create: boolean): MetadataMap | undefined {
  let byKey = store.get(target);
  if (byKey === undefined) {
    if (!create) {
      return undefined;
    }
    byKey = new Map();
    store.set(target, byKey);
  }
  let map = byKey.get(key);
  if (map === undefined && create) {
    map = new Map();
    byKey.set(key, map);
  }
  return map;
}

function getOwnMetadata(metadataKey: unknown, target: object, key?: PropertyKey): unknown {
  return table(target, key, false)?.get(metadataKey);
}

function getMetadata(metadataKey: unknown, target: object, key?: PropertyKey): unknown {
  // Walks the prototype chain like the real polyfill.
  for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
    const m = table(t, key, false);
    if (m?.has(metadataKey) === true) {
      return m.get(metadataKey);
    }
  }
  return undefined;
}

function defineMetadata(metadataKey: unknown, value: unknown, target: object, key?: PropertyKey): void {
  table(target, key, true)?.set(metadataKey, value);
}

function hasMetadata(metadataKey: unknown, target: object, key?: PropertyKey): boolean {
  return getMetadata(metadataKey, target, key) !== undefined;
}

function metadata(metadataKey: unknown, value: unknown) {
  return (target: object, key?: PropertyKey): void => defineMetadata(metadataKey, value, target, key);
}

const r = Reflect as unknown as Record<string, unknown>;
if (typeof r.getMetadata !== 'function') {
  Object.assign(r, { getOwnMetadata, getMetadata, defineMetadata, hasMetadata, metadata });
}
