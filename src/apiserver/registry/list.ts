/**
 * LIST with upstream's semantics: selectors, limit/continue (opaque token carrying the list
 * revision and last key), resourceVersion unset (consistent), "0" (any, from the cache),
 * N with NotOlderThan (cache) or Exact (store snapshot), remainingItemCount.
 */
import { badRequest, gone, StatusError, StatusReason } from '../../api/errors.ts';
import type { KubeList, KubeObject } from '../../api/object.ts';
import { apiVersionOf } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { objectMatcher } from '../../api/selectors/index.ts';
import { StorageError } from '../../storage/interface.ts';
import type { WatchCache } from '../watchcache/cache.ts';
import { asServed, decodeObject, scopePrefix } from './codec.ts';
import type { RegistryCore } from './core.ts';
import { cacheWaitMs } from './core.ts';
import { translateStorageError } from './errors.ts';
import type { ListQuery } from './types.ts';

const continueExpired =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

interface ContinueToken {
  readonly rv: number;
  /** The last returned key, relative to the list's scope prefix. */
  readonly start: string;
}

/** Encodes a continue token (upstream's shape: base64 JSON with v, rv, start). */
export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

/** Decodes a continue token; 400 when it is not one of ours. */
export function decodeContinue(token: string): ContinueToken {
  try {
    const raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; rv?: unknown; start?: unknown };
    if (raw.v !== 'meta.k8s.io/v1' || typeof raw.rv !== 'number' || typeof raw.start !== 'string' || raw.start.includes('..')) {
      throw new Error('bad shape');
    }
    return { rv: raw.rv, start: raw.start };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/** Parses a resourceVersion query value: undefined for unset, else a non-negative integer (400 otherwise). */
export function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '') {
    return undefined;
  }
  if (!/^\d+$/.test(rv)) {
    throw badRequest(`Invalid value: "${rv}": resourceVersion: invalid resource version`);
  }
  return Number(rv);
}

/** 504 upstream answers when asked for a revision the store has not reached. */
export function tooLargeResourceVersion(rv: number, current: number): StatusError {
  return new StatusError(504, StatusReason.Timeout, `Too large resource version: ${rv}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

interface Page {
  items: KubeObject[];
  revision: number;
  continueKey: string | undefined;
  remaining: number | undefined;
}

/** Lists desc in namespace (undefined: all namespaces) per query. */
export async function listObjects(core: RegistryCore, desc: ResourceDescription, namespace: string | undefined, query: ListQuery): Promise<KubeList> {
  const matches = objectMatcher(desc, query.labelSelector, query.fieldSelector);
  const filtered = (query.labelSelector ?? '') !== '' || (query.fieldSelector ?? '') !== '';
  const limit = query.limit !== undefined && query.limit > 0 ? query.limit : 0;
  const prefix = scopePrefix(desc, namespace);
  const rv = parseResourceVersion(query.resourceVersion);
  let page: Page;

  if (query.continue !== undefined && query.continue !== '') {
    if (rv !== undefined && rv !== 0) {
      throw badRequest('specifying resource version is not allowed when using continue');
    }
    const token = decodeContinue(query.continue);
    const cache = await core.cache(desc);
    if (cache.revision === token.rv) {
      page = fromCache(cache, prefix, prefix + token.start, matches, limit, filtered);
    } else {
      page = await fromStore(core, desc, prefix, token.rv, prefix + token.start, matches, limit, true);
    }
  } else if (rv === undefined) {
    const cache = await core.freshCache(desc);
    page = cache !== undefined ? fromCache(cache, prefix, undefined, matches, limit, filtered) : await fromStore(core, desc, prefix, 0, undefined, matches, limit, false);
  } else if (rv === 0) {
    page = fromCache(await core.cache(desc), prefix, undefined, matches, limit, filtered);
  } else if (query.resourceVersionMatch === 'Exact') {
    page = await fromStore(core, desc, prefix, rv, undefined, matches, limit, false);
  } else {
    const cache = await core.cache(desc);
    if (!(await cache.waitForRevision(rv, 0))) {
      const current = await core.storage.currentRevision();
      if (current < rv && !(await cache.waitForRevision(rv, cacheWaitMs))) {
        throw tooLargeResourceVersion(rv, current);
      }
    }
    page = fromCache(cache, prefix, undefined, matches, limit, filtered);
  }

  const list: KubeList = {
    apiVersion: apiVersionOf(desc.group, desc.version),
    kind: desc.listKind,
    metadata: { resourceVersion: String(page.revision) },
    items: page.items,
  };
  // In place: the page's array is this list's own (a 100k-item list needs no second array).
  for (let i = 0; i < page.items.length; i++) {
    page.items[i] = asServed(desc, page.items[i]);
  }
  if (page.continueKey !== undefined) {
    list.metadata.continue = encodeContinue(page.revision, page.continueKey.slice(prefix.length));
    if (page.remaining !== undefined && page.remaining > 0) {
      list.metadata.remainingItemCount = page.remaining;
    }
  }
  return list;
}

function fromCache(cache: WatchCache, prefix: string, afterKey: string | undefined, matches: (o: KubeObject) => boolean, limit: number, filtered: boolean): Page {
  const revision = cache.revision;
  const items: KubeObject[] = [];
  let lastKey: string | undefined;
  let more = false;
  cache.scan(prefix, afterKey, (key, obj) => {
    if (limit > 0 && items.length >= limit) {
      more = true;
      return false;
    }
    if (matches(obj)) {
      items.push(obj);
      lastKey = key;
    }
    return true;
  });
  if (more) {
    // More keys follow: hand out a continue token. Upstream only reports
    // remainingItemCount when no selector filters the rest.
    return { items, revision, continueKey: lastKey, remaining: filtered ? undefined : cache.countKeys(prefix, lastKey) };
  }
  return { items, revision, continueKey: undefined, remaining: undefined };
}

async function fromStore(core: RegistryCore, desc: ResourceDescription, prefix: string, revision: number, afterKey: string | undefined, matches: (o: KubeObject) => boolean, limit: number, continuing: boolean): Promise<Page> {
  const items: KubeObject[] = [];
  let startAfter = afterKey;
  let readAt = revision;
  try {
    for (;;) {
      const want = limit > 0 ? Math.max(limit - items.length, 100) : 0;
      const res = await core.storage.list(prefix, { revision: readAt, limit: want, startAfter });
      readAt = res.revision;
      let lastKey: string | undefined;
      for (const kv of res.items) {
        lastKey = kv.key;
        const obj = decodeObject(kv);
        if (obj !== undefined && matches(obj)) {
          items.push(obj);
          if (limit > 0 && items.length >= limit) {
            break;
          }
        }
      }
      const stoppedEarly = lastKey !== undefined && lastKey !== res.items[res.items.length - 1]?.key;
      if (limit > 0 && items.length >= limit) {
        const more = stoppedEarly || res.more;
        return { items, revision: readAt, continueKey: more ? lastKey : undefined, remaining: undefined };
      }
      if (!res.more || res.items.length === 0) {
        return { items, revision: readAt, continueKey: undefined, remaining: undefined };
      }
      startAfter = lastKey;
    }
  } catch (err) {
    if (err instanceof StorageError && err.code === 'Compacted') {
      throw continuing ? gone(continueExpired) : translateStorageError(desc, '', err, revision);
    }
    throw translateStorageError(desc, '', err);
  }
}
