/**
 * client-go's watchtools.UntilWithSync, reduced to what kubectl's rollout status and wait need:
 * list one object (or a selection) then watch it from that resourceVersion, handing every
 * ADDED/MODIFIED/DELETED event to a condition until it says done, with an optional timeout.
 */
import type { KubeObject } from '../../api/object.ts';
import { isGone } from '../../client/status.ts';
import type { RestClient } from '../../client/rest.ts';
import type { ResourceRef } from '../../client/paths.ts';
import { Watch } from '../../client/watch.ts';

/** An event handed to the condition; `SYNC` marks the end of the initial list. */
export type UntilEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'SYNC';

/** Thrown when the timeout passes first (upstream's wait.ErrWaitTimeout text). */
export class UntilTimeoutError extends Error {
  constructor() {
    super('timed out waiting for the condition');
    this.name = 'UntilTimeoutError';
  }
}

/**
 * Lists `ref`'s collection with `fieldSelector`/`labelSelector`, then watches; resolves when
 * `condition` returns true. `timeoutMs` 0 or less means no limit.
 */
export async function untilWithSync(
  client: RestClient,
  ref: ResourceRef,
  selectors: { readonly fieldSelector?: string; readonly labelSelector?: string },
  timeoutMs: number,
  condition: (type: UntilEventType, obj: KubeObject | undefined) => boolean | Promise<boolean>,
): Promise<void> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = timeoutMs > 0 ? setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs) : undefined;
  const collection = { ...ref, name: undefined };
  try {
    let rv = '';
    let needList = true;
    for (;;) {
      if (needList) {
        const list = await client.list(collection, { fieldSelector: selectors.fieldSelector, labelSelector: selectors.labelSelector }, controller.signal);
        rv = list.metadata.resourceVersion ?? '';
        for (const item of list.items) {
          if (await condition('ADDED', item)) {
            return;
          }
        }
        if (await condition('SYNC', undefined)) {
          return;
        }
        needList = false;
      }
      let w;
      try {
        w = await Watch.open(client, collection, { resourceVersion: rv, fieldSelector: selectors.fieldSelector, labelSelector: selectors.labelSelector, allowWatchBookmarks: true }, controller.signal);
        for await (const ev of w) {
          rv = ev.object.metadata.resourceVersion ?? rv;
          if (ev.type === 'BOOKMARK') {
            continue;
          }
          if (await condition(ev.type, ev.object)) {
            w.stop();
            return;
          }
        }
      } catch (e) {
        if (isGone(e)) {
          needList = true;
          continue;
        }
        throw e;
      }
    }
  } catch (e) {
    if (timedOut) {
      throw new UntilTimeoutError();
    }
    throw e;
  } finally {
    if (timer !== undefined) {
      clearTimeout(timer);
    }
    controller.abort();
  }
}
