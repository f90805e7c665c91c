/**
 * Test-only helpers for the registry's unit tests: a registry over a real SQLite store in a
 * temp dir, a write context, and a recording watch sink.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Status } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceDescription } from '../../../api/resource.ts';
import { builtinResources } from '../../../api/resources/index.ts';
import { openStorage } from '../../../storage/open.ts';
import type { Storage } from '../../../storage/interface.ts';
import { createRegistry } from '../index.ts';
import type { FieldValidation, Registry, WatchEventType, WatchSink, WriteContext } from '../types.ts';

export interface Harness {
  readonly registry: Registry & { readonly ready: Promise<void> };
  readonly storage: Storage;
  /** Built-in description by group and resource (throws when missing). */
  desc(group: string, resource: string): ResourceDescription;
  ctx(opts?: { dryRun?: boolean; fieldManager?: string; fieldValidation?: FieldValidation }): WriteContext;
  close(): Promise<void>;
}

/** Opens a fresh registry on SQLite in a temp dir; close() removes everything. */
export async function openHarness(opts: { capacity?: number; eventTtlSeconds?: number } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-registry-'));
  const storage = await openStorage({ backend: 'sqlite', dataDir: dir, compactor: false });
  const registry = createRegistry({ storage, watchCache: { capacity: opts.capacity ?? 1000, minRetentionMs: 0 }, eventTtlSeconds: opts.eventTtlSeconds });
  await registry.ready;
  return {
    registry,
    storage,
    desc(group, resource) {
      const d = registry.resources().find((r) => r.group === group && r.resource === resource);
      if (d === undefined) {
        throw new Error(`no resource ${group}/${resource}`);
      }
      return d;
    },
    ctx(o = {}) {
      return { user: { username: 'test', groups: [] }, dryRun: o.dryRun ?? false, fieldManager: o.fieldManager ?? 'test', fieldValidation: o.fieldValidation ?? 'Strict', warnings: [] };
    },
    async close() {
      await registry.close();
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The harness a test file shares: opened (with namespace `default`) before the file's tests and
 * closed after them. The returned object forwards to it, so it can be a module constant.
 */
export function fileHarness(): Harness {
  let inner: Harness | undefined;
  const get = (): Harness => {
    if (inner === undefined) {
      throw new Error('the file harness is open only while the tests run');
    }
    return inner;
  };
  before(async () => {
    inner = await openHarness();
    await inner.registry.create(inner.desc('', 'namespaces'), undefined, { metadata: { name: 'default' } }, inner.ctx());
  });
  after(async () => {
    await inner?.close();
  });
  return {
    get registry() {
      return get().registry;
    },
    get storage() {
      return get().storage;
    },
    desc: (group, resource) => get().desc(group, resource),
    ctx: (o) => get().ctx(o),
    close: () => get().close(),
  };
}

export interface RecordedEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject | Status;
}

/** A sink that records events and lets a test await the n-th one. */
export class RecordingSink implements WatchSink {
  readonly events: RecordedEvent[] = [];
  closed = false;
  private waiters: { n: number; resolve: () => void }[] = [];

  event(type: WatchEventType, object: KubeObject | Status): void {
    this.events.push({ type, object });
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Resolves once at least n events arrived (or the watch closed). */
  waitFor(n: number): Promise<void> {
    if (this.events.length >= n || this.closed) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /** `TYPE name` for every event, for compact assertions. */
  summary(): string[] {
    return this.events.map((e) => `${e.type} ${(e.object as KubeObject).metadata?.name ?? ''}`.trim());
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => this.events.length >= w.n || this.closed);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) {
      w.resolve();
    }
  }
}

export { builtinResources };
