/**
 * Keeps an in-memory view of one resource current from the apiserver's own registry: a list,
 * then a watch from its resourceVersion; when the server ends the watch, a fresh list + watch
 * after a short pause. The authorizers' caches (RBAC policy, node graph) use it, because the
 * authorizer answers every request and must never read the store itself.
 */
import type { KubeObject } from '../../api/object.ts';
import type { Registry, WatchEventType } from '../registry/types.ts';

/** What a mirror feeds. */
export interface MirrorTarget {
  /** Drops everything (a re-list follows). */
  reset(): void;
  apply(type: WatchEventType, obj: KubeObject): void;
}

/** A running mirror of one resource. */
export class RegistryMirror {
  readonly #stops: (() => void)[] = [];
  #closed = false;

  /** Lists and watches group/version/resource into `target`; resolves once the list is applied. */
  async mirror(registry: Registry, group: string, version: string, resource: string, target: MirrorTarget): Promise<void> {
    const desc = registry.resolve(group, version, resource);
    if (desc === undefined || this.#closed) {
      return;
    }
    const list = await registry.list(desc, undefined, {});
    target.reset();
    for (const o of list.items) {
      target.apply('ADDED', o);
    }
    const restart = (): void => {
      if (!this.#closed) {
        setTimeout(() => void this.mirror(registry, group, version, resource, target).catch((e: unknown) => process.stderr.write(`apiserver: resync of the ${resource} cache failed: ${String(e)}\n`)), 200).unref();
      }
    };
    const stop = await registry.watch(desc, undefined, { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: false, sendInitialEvents: false }, {
      event: (type, obj) => {
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          target.apply(type, obj as KubeObject);
        }
      },
      close: restart,
    });
    this.#stops.push(stop);
  }

  close(): void {
    this.#closed = true;
    for (const stop of this.#stops.splice(0)) {
      stop();
    }
  }
}
