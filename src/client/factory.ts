/** SharedInformerFactory: one informer per resource (and filter) per process, started and synced together. */
import type { KubeObject } from '../api/object.ts';
import { SharedInformer } from './informer.ts';
import type { ClientLogger } from './log.ts';
import type { RestClient } from './rest.ts';
import type { IndexFunc } from './store.ts';

/** Factory-wide defaults. */
export interface SharedInformerFactoryOptions {
  /** Default handler resync period (ms; 0 = never). */
  readonly defaultResyncMs?: number;
  /** Watch only this namespace (default: all). */
  readonly namespace?: string;
  readonly useWatchList?: boolean;
  readonly logger?: ClientLogger;
}

/** What to inform on: group/version/resource plus optional selectors and indexers. */
export interface InformerRequest<T extends KubeObject> {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  /** The informer's transform (InformerOptions.transform); only the request that creates the informer sets it, as client-go's SetTransform before start. */
  readonly transform?: (obj: T) => T;
}

/** Hands out shared informers, keyed by GVR and filters, so a process never watches one resource twice. */
export class SharedInformerFactory {
  private readonly client: RestClient;
  private readonly opts: SharedInformerFactoryOptions;
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private started = false;

  constructor(client: RestClient, opts: SharedInformerFactoryOptions = {}) {
    this.client = client;
    this.opts = opts;
  }

  /** The shared informer for `req` (created on first use; started at once if the factory already runs). */
  informerFor<T extends KubeObject = KubeObject>(req: InformerRequest<T>): SharedInformer<T> {
    const key = [req.group, req.version, req.resource, req.labelSelector ?? '', req.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key) as SharedInformer<T> | undefined;
    if (inf === undefined) {
      inf = new SharedInformer<T>({
        client: this.client,
        resource: { group: req.group, version: req.version, resource: req.resource, namespace: this.opts.namespace },
        labelSelector: req.labelSelector,
        fieldSelector: req.fieldSelector,
        resyncPeriodMs: this.opts.defaultResyncMs,
        indexers: req.indexers,
        transform: req.transform,
        useWatchList: this.opts.useWatchList,
        logger: this.opts.logger,
      });
      this.informers.set(key, inf as unknown as SharedInformer<KubeObject>);
      if (this.started) {
        inf.start();
      }
    } else if (req.indexers !== undefined) {
      const missing = Object.fromEntries(Object.entries(req.indexers).filter(([name]) => !inf?.store.hasIndex(name)));
      inf.addIndexers(missing);
    }
    return inf;
  }

  /** Starts every informer made so far (and any made later). */
  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) {
      inf.start();
    }
  }

  /** Resolves true when every informer has synced; false if `signal` aborts first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Stops every informer and waits for their loops to end. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
