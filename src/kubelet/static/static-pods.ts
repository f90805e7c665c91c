/**
 * StaticPods: runs the pods of `--pod-manifest-path` through the pod workers and keeps a mirror
 * pod for each in the API (owned by the Node, recreated when deleted, status copied onto it).
 * The directory is rescanned every 20 s (upstream's --file-check-frequency) and on fs.watch.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { isAlreadyExists, isConflict, isNotFound } from '../../api/errors.ts';
import { PatchType } from '../../client/index.ts';
import type { RestClient } from '../../client/index.ts';
import type { Pod } from '../pods/types.ts';
import { ConfigAnnotations, readStaticPods } from './manifests.ts';
import type { StaticPod } from './manifests.ts';

const podsRef = { group: '', version: 'v1', resource: 'pods' } as const;

/** What StaticPods drives: the kubelet's pod workers. */
export interface StaticPodWorkers {
  update(pod: Pod): void;
  remove(uid: string): void;
}

/** StaticPods' settings. */
export interface StaticPodsOptions {
  readonly dir: string;
  readonly nodeName: string;
  readonly client: RestClient;
  readonly workers: StaticPodWorkers;
  readonly log: (m: string) => void;
  /** Rescan period (default 20 s). */
  readonly checkFrequencyMs?: number;
}

interface Entry {
  readonly pod: StaticPod;
  mirrorUid?: string;
  /** The last status the workers wrote, re-applied to a recreated mirror pod. */
  lastStatus?: unknown;
}

/** The parts of an API pod (as the informer hands it out, read-only) that mirror handling reads. */
export interface ApiPodMeta {
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly uid?: string; readonly deletionTimestamp?: string; readonly annotations?: Readonly<Record<string, string>> };
}

/** Whether an API pod is a mirror pod (the kubelet never runs those itself). */
export function isMirrorPod(obj: ApiPodMeta | undefined): boolean {
  return obj?.metadata.annotations?.[ConfigAnnotations.mirror] !== undefined;
}

const keyOf = (namespace: string | undefined, name: string | undefined): string => `${namespace ?? 'default'}/${name ?? ''}`;

/**
 * Deletes a mirror pod no static pod of this kubelet backs any more (its file went away while the
 * kubelet was down, or the kubelet now runs without --pod-manifest-path), as upstream's
 * kubelet does in its pod clean-up; the uid precondition leaves a newer namesake alone.
 */
export async function deleteOrphanedMirrorPod(client: RestClient, obj: ApiPodMeta, log: (m: string) => void): Promise<void> {
  log(`deleting orphaned mirror pod ${keyOf(obj.metadata.namespace, obj.metadata.name)}`);
  await client.delete({ ...podsRef, namespace: obj.metadata.namespace, name: obj.metadata.name }, { gracePeriodSeconds: 0, ...(obj.metadata.uid === undefined ? {} : { preconditions: { uid: obj.metadata.uid } }) }).catch((e: unknown) => {
    if (!isNotFound(e) && !isConflict(e)) {
      throw e;
    }
  });
}

/** The static pods of one manifest directory and their mirror pods. */
export class StaticPods {
  private readonly opts: StaticPodsOptions;
  private readonly entries = new Map<string, Entry>();
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private nodeUid: string | undefined;
  private started = false;
  /** Mirror pods without a static pod seen before the first scan: judged after it. */
  private readonly unmatched = new Map<string, ApiPodMeta>();

  constructor(opts: StaticPodsOptions) {
    this.opts = opts;
  }

  /** Scans now, then on every change of the directory and every 20 s. */
  start(): Promise<void> {
    this.timer = setInterval(() => this.rescan(), this.opts.checkFrequencyMs ?? 20_000);
    try {
      this.watcher = watch(this.opts.dir, () => {
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.rescan(), 200);
      });
      this.watcher.on('error', () => undefined);
    } catch (e) {
      this.opts.log(`watching ${this.opts.dir}: ${(e as Error).message}; rescanning periodically only`);
    }
    const scanned = this.rescan();
    this.started = true;
    for (const obj of this.unmatched.values()) {
      void this.enqueue(() => this.removeIfOrphan(obj));
    }
    this.unmatched.clear();
    return scanned.then(() => this.chain);
  }

  /** Stops watching; pods and mirror pods stay, as across any kubelet restart. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    this.watcher?.close();
    await this.chain;
  }

  /** A mirror pod changed or went away in the API: keep one in place while its file exists. */
  mirrorChanged(obj: ApiPodMeta, deleted: boolean): void {
    const key = keyOf(obj.metadata.namespace, obj.metadata.name);
    const entry = this.entries.get(key);
    if (entry === undefined) {
      if (deleted) {
        this.unmatched.delete(key);
      } else if (!this.started) {
        this.unmatched.set(key, obj);
      } else {
        void this.enqueue(() => this.removeIfOrphan(obj));
      }
      return;
    }
    if (!deleted && obj.metadata.deletionTimestamp === undefined && obj.metadata.annotations?.[ConfigAnnotations.mirror] === entry.pod.hash) {
      entry.mirrorUid = obj.metadata.uid;
      return;
    }
    void this.enqueue(() => this.ensureMirror(entry));
  }

  /**
   * The client for the pod workers: a static pod's status write goes to its mirror pod (whose
   * uid differs from the static pod's) and is remembered for a recreated mirror.
   */
  wrapClient(client: RestClient): RestClient {
    const patch = client.patch.bind(client);
    const wrapped: Pick<RestClient, 'patch'> = {
      patch: (ref, body, type, query, signal) => {
        const entry = ref.resource === 'pods' && ref.subresource === 'status' ? this.entries.get(keyOf(ref.namespace, ref.name)) : undefined;
        const b = body as { metadata?: { uid?: string }; status?: unknown };
        if (entry === undefined || b.metadata?.uid !== entry.pod.hash) {
          return patch(ref, body, type, query, signal);
        }
        entry.lastStatus = b.status;
        return patch(ref, { ...b, metadata: { uid: entry.mirrorUid } }, type, query, signal);
      },
    };
    return new Proxy(client, { get: (target, prop, receiver) => (prop === 'patch' ? wrapped.patch : Reflect.get(target, prop, receiver) as unknown) });
  }

  /** Runs after every scan queued before it: a mirror whose file exists by then is kept. */
  private async removeIfOrphan(obj: ApiPodMeta): Promise<void> {
    if (!this.entries.has(keyOf(obj.metadata.namespace, obj.metadata.name))) {
      await deleteOrphanedMirrorPod(this.opts.client, obj, this.opts.log);
    }
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(job).catch((e: unknown) => this.opts.log(`static pods: ${(e as Error).message}`));
    return this.chain;
  }

  private rescan(): Promise<void> {
    return this.enqueue(async () => {
      const found = await readStaticPods(this.opts.dir, this.opts.nodeName, this.opts.log);
      const wanted = new Map(found.map((p) => [keyOf(p.pod.metadata.namespace, p.pod.metadata.name), p]));
      for (const [key, entry] of [...this.entries]) {
        const next = wanted.get(key);
        if (next === undefined || next.hash !== entry.pod.hash) {
          this.opts.log(`static pod ${key} ${next === undefined ? 'removed' : 'changed'} (${entry.pod.file})`);
          this.entries.delete(key);
          this.opts.workers.remove(entry.pod.hash);
          await this.deleteMirror(entry.pod.pod, entry.mirrorUid);
        }
      }
      for (const [key, p] of wanted) {
        let entry = this.entries.get(key);
        if (entry === undefined) {
          this.opts.log(`static pod ${key} from ${p.file}`);
          entry = { pod: p };
          this.entries.set(key, entry);
          this.opts.workers.update(structuredClone(p.pod));
        }
        await this.ensureMirror(entry).catch((e: unknown) => this.opts.log(`mirror pod ${key}: ${(e as Error).message}`));
      }
    });
  }

  private async deleteMirror(pod: Pod, uid: string | undefined): Promise<void> {
    await this.opts.client.delete({ ...podsRef, namespace: pod.metadata.namespace, name: pod.metadata.name }, { gracePeriodSeconds: 0, ...(uid === undefined ? {} : { preconditions: { uid } }) }).catch((e: unknown) => {
      if (!isNotFound(e)) {
        throw e;
      }
    });
  }

  /** Makes the API hold a live mirror pod of the entry's current hash. */
  private async ensureMirror(entry: Entry): Promise<void> {
    if (this.entries.get(keyOf(entry.pod.pod.metadata.namespace, entry.pod.pod.metadata.name)) !== entry) {
      return;
    }
    const { pod, hash } = entry.pod;
    const ref = { ...podsRef, namespace: pod.metadata.namespace, name: pod.metadata.name };
    const current = await this.opts.client.get(ref).catch((e: unknown) => {
      if (isNotFound(e)) {
        return undefined;
      }
      throw e;
    });
    if (current !== undefined) {
      if (current.metadata.deletionTimestamp === undefined && current.metadata.annotations?.[ConfigAnnotations.mirror] === hash) {
        entry.mirrorUid = current.metadata.uid;
        return;
      }
      // Deleted by someone, outdated, or not a mirror of this file: replace it, as upstream does.
      await this.deleteMirror(pod, current.metadata.uid);
    }
    this.nodeUid ??= (await this.opts.client.get({ group: '', version: 'v1', resource: 'nodes', name: this.opts.nodeName })).metadata.uid;
    const mirror = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: pod.metadata.name, namespace: pod.metadata.namespace, labels: pod.metadata.labels,
        annotations: { ...pod.metadata.annotations, [ConfigAnnotations.mirror]: hash },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.opts.nodeName, uid: this.nodeUid, controller: true }],
      },
      spec: pod.spec,
    };
    const created = await this.opts.client.create({ ...podsRef, namespace: pod.metadata.namespace }, mirror).catch((e: unknown) => {
      if (isAlreadyExists(e)) {
        return undefined;
      }
      throw e;
    });
    if (created === undefined) {
      return;
    }
    entry.mirrorUid = created.metadata.uid;
    this.opts.log(`created mirror pod ${ref.namespace}/${ref.name}`);
    if (entry.lastStatus !== undefined) {
      await this.opts.client.patch({ ...ref, subresource: 'status' }, { metadata: { uid: entry.mirrorUid }, status: entry.lastStatus }, PatchType.Merge);
    }
  }
}
