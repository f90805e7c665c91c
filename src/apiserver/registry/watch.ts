/**
 * WATCH from the watch cache: resourceVersion unset/"0" start with the current state as
 * ADDED, N resumes after N (410 when the ring no longer holds it), sendInitialEvents ends
 * the initial state with the k8s.io/initial-events-end BOOKMARK, timeoutSeconds ends it.
 */
import type { KubeObject } from '../../api/object.ts';
import { apiVersionOf } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { objectMatcher } from '../../api/selectors/index.ts';
import type { WatchStart } from '../watchcache/cache.ts';
import { asServed, scopePrefix } from './codec.ts';
import type { RegistryCore } from './core.ts';
import { cacheWaitMs } from './core.ts';
import { parseResourceVersion, tooLargeResourceVersion } from './list.ts';
import type { WatchQuery, WatchSink } from './types.ts';

/** Builds the BOOKMARK object upstream sends (only kind, apiVersion and resourceVersion). */
export function bookmarkObject(desc: ResourceDescription, rv: number, initialEnd: boolean): KubeObject {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(rv) };
  if (initialEnd) {
    metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  }
  return { kind: desc.kind, apiVersion: apiVersionOf(desc.group, desc.version), metadata };
}

/** Starts a watch; resolves once registered with its stop function. */
export async function watchObjects(core: RegistryCore, desc: ResourceDescription, namespace: string | undefined, query: WatchQuery, sink: WatchSink): Promise<() => void> {
  const filter = objectMatcher(desc, query.labelSelector, query.fieldSelector);
  const rv = parseResourceVersion(query.resourceVersion);
  const cache = rv === undefined ? ((await core.freshCache(desc)) ?? (await core.cache(desc))) : await core.cache(desc);
  if (rv !== undefined && rv > 0 && cache.revision < rv) {
    const current = await core.storage.currentRevision();
    if (current < rv && !(await cache.waitForRevision(rv, cacheWaitMs))) {
      throw tooLargeResourceVersion(rv, current);
    }
  }
  let start: WatchStart;
  if (query.sendInitialEvents) {
    start = { initialEvents: true, initialEventsEnd: true };
  } else if (rv === undefined || rv === 0) {
    start = { initialEvents: true, initialEventsEnd: false };
  } else {
    start = { fromRevision: rv, initialEvents: false, initialEventsEnd: false };
  }
  let timer: NodeJS.Timeout | undefined;
  const watcher = cache.watch(
    {
      keyPrefix: scopePrefix(desc, namespace),
      filter,
      transform: (o) => asServed(desc, o),
      bookmarks: query.allowWatchBookmarks,
      makeBookmark: (r, end) => bookmarkObject(desc, r, end),
      sink: {
        event: (type, obj) => sink.event(type, obj),
        close: () => {
          if (timer !== undefined) {
            clearTimeout(timer);
          }
          sink.close();
        },
      },
    },
    start,
  );
  if (query.timeoutSeconds !== undefined && query.timeoutSeconds > 0) {
    timer = setTimeout(() => watcher.stop(true), query.timeoutSeconds * 1000);
    timer.unref();
  }
  return () => {
    if (timer !== undefined) {
      clearTimeout(timer);
    }
    watcher.stop(false);
  };
}
