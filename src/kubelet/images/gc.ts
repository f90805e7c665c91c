/**
 * Image garbage collection by disk threshold, as upstream's kubelet does it: when the image
 * filesystem is at least `highThresholdPercent` full, unused images are deleted, least recently
 * used first and none younger than `minAgeMs`, until usage is down to `lowThresholdPercent`.
 * The disk probe and the clock are injectable so a test can drive a full cycle.
 */
import { statfs } from 'node:fs/promises';
import type { ObjectReference } from '../../client/index.ts';
import type { Pod } from '../pods/types.ts';
import type { ImageStore } from './store.ts';

/** Capacity and free bytes of the filesystem holding the image store. */
export interface DiskUsage {
  readonly capacityBytes: number;
  readonly availableBytes: number;
}

/** Where GC reports what it did (a subset of EventRecorder). */
export interface GcEventSink {
  event(obj: ObjectReference, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** Settings of the image garbage collector (upstream's flags and defaults in comments). */
export interface ImageGcOptions {
  readonly store: ImageStore;
  /** `--image-gc-high-threshold` (default 85): GC starts at this usage percent; 100 disables it. */
  readonly highThresholdPercent?: number;
  /** `--image-gc-low-threshold` (default 80): GC frees down to this usage percent. */
  readonly lowThresholdPercent?: number;
  /** `--image-minimum-gc-age` (default 2 min): images seen more recently are never deleted. */
  readonly minAgeMs?: number;
  /** Image references (tags, digests or ids) of every container the kubelet keeps, running or not. */
  readonly imagesInUse: () => Iterable<string>;
  /** Disk usage of the image filesystem (default: statfs on the store's directory). */
  readonly probe?: () => Promise<DiskUsage>;
  /** The clock in ms since the epoch (default Date.now). */
  readonly now?: () => number;
  readonly nodeName?: string;
  readonly events?: GcEventSink;
  readonly log?: (message: string) => void;
}

/** How often GC runs, and the delay before its first run (upstream's ImageGCPeriod, and the 1 min start). */
export const IMAGE_GC_PERIOD_MS = 5 * 60_000;
export const IMAGE_GC_FIRST_RUN_MS = 60_000;

/** What one GC pass did. */
export interface ImageGcResult {
  readonly removed: string[];
  readonly freedBytes: number;
  /** Bytes GC had to free to reach the low threshold (0 when usage was below high). */
  readonly amountToFree: number;
}

/** Every image a pod's containers and init containers refer to. */
export function imagesOfPods(pods: Iterable<Pod>): string[] {
  const out: string[] = [];
  for (const pod of pods) {
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      out.push(c.image);
    }
  }
  return out;
}

/** Disk usage of the filesystem holding `path`, from statfs(2) (available = blocks free to non-root, like df). */
export async function statfsUsage(path: string): Promise<DiskUsage> {
  const s = await statfs(path);
  return { capacityBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize };
}

/** The kubelet's image garbage collector. */
export class ImageGarbageCollector {
  private readonly opts: ImageGcOptions;
  private readonly high: number;
  private readonly low: number;
  private readonly minAgeMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private previousFailed = false;

  constructor(opts: ImageGcOptions) {
    this.opts = opts;
    this.high = opts.highThresholdPercent ?? 85;
    this.low = opts.lowThresholdPercent ?? 80;
    this.minAgeMs = opts.minAgeMs ?? 120_000;
    this.now = opts.now ?? Date.now;
    // Upstream validates the same way: low must be below high, both in [0, 100].
    if (this.high < 0 || this.high > 100 || this.low < 0 || this.low > 100 || this.low > this.high) {
      throw new Error(`invalid image GC thresholds: low ${this.low}% must be between 0 and high ${this.high}% (at most 100)`);
    }
  }

  /** Runs GC once after `firstRunMs`, then every `periodMs`, until stop(). */
  start(firstRunMs = IMAGE_GC_FIRST_RUN_MS, periodMs = IMAGE_GC_PERIOD_MS): void {
    const tick = (): void => {
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
      });
      this.timer = setTimeout(tick, periodMs);
    };
    this.timer = setTimeout(tick, firstRunMs);
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass, with upstream's reporting: an ImageGCFailed event on the Node when passes fail in a row. */
  async runOnce(): Promise<ImageGcResult | undefined> {
    try {
      const result = await this.garbageCollect();
      this.previousFailed = false;
      return result;
    } catch (e) {
      const message = (e as Error).message;
      if (this.previousFailed) {
        this.opts.log?.(`image garbage collection failed multiple times in a row: ${message}`);
        this.opts.events?.event(this.nodeRef(), 'Warning', 'ImageGCFailed', message);
      } else {
        this.opts.log?.(`image garbage collection failed once: ${message}`);
      }
      this.previousFailed = true;
      return undefined;
    }
  }

  private nodeRef(): ObjectReference {
    // The kubelet's nodeRef uses the node name as uid, as upstream does.
    const name = this.opts.nodeName ?? '';
    return { kind: 'Node', name, uid: name, namespace: '' };
  }

  /**
   * Frees space if usage is at or above the high threshold. Throws (after a FreeDiskSpaceFailed
   * event) when the eligible images cannot bring usage down to the low threshold.
   */
  async garbageCollect(): Promise<ImageGcResult> {
    if (this.high >= 100) {
      return { removed: [], freedBytes: 0, amountToFree: 0 };
    }
    const { capacityBytes, availableBytes } = await (this.opts.probe ?? (() => statfsUsage(this.opts.store.root)))();
    if (capacityBytes <= 0) {
      throw new Error(`invalid capacity ${capacityBytes} on image filesystem`);
    }
    const available = Math.min(availableBytes, capacityBytes);
    const usagePercent = 100 - Math.floor((available * 100) / capacityBytes);
    if (usagePercent < this.high) {
      return { removed: [], freedBytes: 0, amountToFree: 0 };
    }
    const amountToFree = Math.floor((capacityBytes * (100 - this.low)) / 100) - available;
    this.opts.log?.(`disk usage on image filesystem is at ${usagePercent}% which is over the high threshold (${this.high}%); trying to free ${amountToFree} bytes down to the low threshold (${this.low}%)`);
    const { removed, freedBytes } = await this.freeSpace(amountToFree);
    if (freedBytes < amountToFree) {
      const message = `Failed to garbage collect required amount of images. Attempted to free ${amountToFree} bytes, but only found ${freedBytes} bytes eligible to free.`;
      this.opts.events?.event(this.nodeRef(), 'Warning', 'FreeDiskSpaceFailed', message);
      throw new Error(message);
    }
    return { removed, freedBytes, amountToFree };
  }

  /** Deletes unused images old enough, least recently used first, until `amountToFree` bytes are gone. */
  private async freeSpace(amountToFree: number): Promise<{ removed: string[]; freedBytes: number }> {
    const store = this.opts.store;
    const inUse = new Set((await store.usage()).keys());
    for (const ref of this.opts.imagesInUse()) {
      const image = await store.resolve(ref);
      if (image !== undefined) {
        inUse.add(image.id);
      }
    }
    const now = this.now();
    const candidates = (await store.list())
      .filter((i) => !inUse.has(i.id))
      .filter((i) => now - Date.parse(i.createdAt) >= this.minAgeMs)
      .sort((a, b) => a.lastUsed.localeCompare(b.lastUsed));
    const removed: string[] = [];
    let freedBytes = 0;
    for (const image of candidates) {
      if (freedBytes >= amountToFree) {
        break;
      }
      // Bytes freed are measured, not summed from image sizes: blobs shared with images that
      // stay are not deleted, so they do not count.
      const before = await store.diskUsage();
      try {
        await store.remove(image.id);
      } catch (e) {
        this.opts.log?.(`image GC: could not remove ${image.id}: ${(e as Error).message}`);
        continue;
      }
      freedBytes += Math.max(0, before - (await store.diskUsage()));
      removed.push(image.id);
      this.opts.log?.(`image GC: removed ${image.id} (${image.repoTags.join(', ')})`);
    }
    return { removed, freedBytes };
  }
}
