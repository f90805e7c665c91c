/**
 * What every registry operation shares: the store, one watch cache per resource prefix
 * (shared by every version that maps to it), and read-your-writes bookkeeping so a list
 * right after our own write comes from a cache that already holds it.
 */
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import type { KeyValue, Storage, WriteOptions } from '../../storage/interface.ts';
import { WatchCache } from '../watchcache/cache.ts';
import type { WatchCacheOptions } from '../watchcache/cache.ts';
import { adoptWritten, asServed, decodeMutable, decodeObject, decodeWithJson, resourcePrefix, servedJson } from './codec.ts';
import type { EncodedObject } from './codec.ts';
import { defaultServiceRanges, SerialLock } from './services.ts';
import type { ServiceRanges } from './services.ts';

/** How long a read waits for the cache to catch up with a revision before reading the store. */
export const cacheWaitMs = 3000;

/** Shared state of one registry. */
export class RegistryCore {
  readonly storage: Storage;
  private readonly caches = new Map<string, WatchCache>();
  private readonly lastWrite = new Map<string, number>();
  /** Values being written by this registry, by key: their watch event's decode reuses what the encoder knew. */
  private readonly writing = new Map<string, EncodedObject>();
  private readonly cacheOptions: WatchCacheOptions;
  /** The namespaces description (namespaced creates check existence and phase). */
  namespaceDesc: ResourceDescription | undefined;
  /** Resource prefixes of custom resources whose CRD is being deleted (creates refused). */
  readonly terminating = new Set<string>();
  /** Where Service ClusterIPs and NodePorts come from. */
  serviceRanges: ServiceRanges = defaultServiceRanges;
  /** Serialises Service writes (allocation + store write). */
  readonly serviceLock = new SerialLock();
  /** How long events live after their last write (`--event-ttl`); undefined: forever. */
  eventTtlSeconds: number | undefined;
  /** Finds a served description by group and resource (any version). */
  lookup: (group: string, resource: string) => ResourceDescription | undefined = () => undefined;

  constructor(storage: Storage, cacheOptions: WatchCacheOptions = {}) {
    this.storage = storage;
    this.cacheOptions = cacheOptions;
  }

  /** Store options of a write to desc: events expire `eventTtlSeconds` after each write, as upstream's event registry's TTL. */
  writeOptions(desc: ResourceDescription): WriteOptions | undefined {
    const isEvent = desc.resource === 'events' && (desc.group === '' || desc.group === 'events.k8s.io');
    return isEvent && this.eventTtlSeconds !== undefined ? { ttlSeconds: this.eventTtlSeconds } : undefined;
  }

  /** The (started) watch cache of desc's prefix. */
  async cache(desc: ResourceDescription): Promise<WatchCache> {
    const prefix = resourcePrefix(desc);
    let c = this.caches.get(prefix);
    if (c === undefined) {
      c = new WatchCache(this.storage, prefix, (kv) => this.decode(kv), this.cacheOptions);
      this.caches.set(prefix, c);
    }
    await c.ready();
    return c;
  }

  /**
   * The watch cache's current copy of key, if desc's cache exists (never starts one): a first
   * guess for updates, which may be stale (the store's compare-and-swap decides).
   */
  cachedObject(desc: ResourceDescription, key: string): KubeObject | undefined {
    return this.caches.get(resourcePrefix(desc))?.get(key);
  }

  /**
   * Runs one store write of enc at key (`write` gets the value to store). While it runs, the
   * watch cache decoding that very value takes its JSON text from enc instead of stringifying
   * the object again for the reply and the watch events.
   */
  async writeEncoded<T>(key: string, enc: EncodedObject, write: (value: string) => Promise<T>): Promise<T> {
    this.writing.set(key, enc);
    try {
      return await write(enc.json);
    } finally {
      if (this.writing.get(key) === enc) {
        this.writing.delete(key);
      }
    }
  }

  /**
   * The watch caches' decoder: a value this registry is writing becomes the object it was
   * encoded from (frozen, no parse), with its JSON known at once.
   */
  private decode(kv: KeyValue): KubeObject | undefined {
    const enc = this.writing.get(kv.key);
    // Only the exact value written (another writer's value for the key is decoded as usual).
    if (enc === undefined || enc.json !== kv.value) {
      return decodeObject(kv);
    }
    const json = servedJson(enc, kv.modRevision);
    const adopted = json !== undefined && enc.source !== undefined ? adoptWritten(enc.source, kv.modRevision, json) : undefined;
    return adopted ?? decodeWithJson(kv, json);
  }

  /**
   * The object a write of desc just stored as kv, as desc serves it: the watch cache's copy when
   * the cache already holds exactly this write (a shared, frozen object whose memoised JSON then
   * serves the reply and the watch events alike: no second parse), else a fresh mutable decode.
   */
  writtenObject(desc: ResourceDescription, kv: KeyValue): KubeObject {
    const cached = this.caches.get(resourcePrefix(desc))?.get(kv.key);
    // Revisions are unique: the same resourceVersion means the cache decoded this very write.
    if (cached !== undefined && cached.metadata.resourceVersion === String(kv.modRevision)) {
      return asServed(desc, cached);
    }
    return asServed(desc, decodeMutable(kv) as KubeObject);
  }

  /** Records a revision this registry wrote under desc's prefix. */
  noteWrite(desc: ResourceDescription, revision: number): void {
    const prefix = resourcePrefix(desc);
    if ((this.lastWrite.get(prefix) ?? 0) < revision) {
      this.lastWrite.set(prefix, revision);
    }
  }

  /**
   * The cache once it holds every write this registry made under desc's prefix (a consistent
   * read for a single apiserver); undefined if it does not catch up in time.
   */
  async freshCache(desc: ResourceDescription): Promise<WatchCache | undefined> {
    const c = await this.cache(desc);
    const want = this.lastWrite.get(resourcePrefix(desc)) ?? 0;
    return (await c.waitForRevision(want, cacheWaitMs)) ? c : undefined;
  }

  /** Stops the watch cache of a prefix (CRD removed) so it relists if served again. */
  dropCache(desc: ResourceDescription): void {
    const prefix = resourcePrefix(desc);
    this.caches.get(prefix)?.stop();
    this.caches.delete(prefix);
  }

  /** Stops every cache. */
  close(): void {
    for (const c of this.caches.values()) {
      c.stop();
    }
    this.caches.clear();
  }
}
