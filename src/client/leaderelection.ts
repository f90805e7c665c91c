/**
 * Leader election on coordination.k8s.io/v1 Leases, with client-go's semantics: a lease is
 * held while its holder keeps renewing within leaseDuration (as observed on the local clock),
 * takeovers bump leaseTransitions, writes are guarded by resourceVersion, and a graceful stop
 * releases the lease so the next candidate need not wait.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isConflict, isNotFound } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import { stderrLogger } from './log.ts';
import type { ClientLogger } from './log.ts';
import type { RestClient } from './rest.ts';
import { sleep } from './tokenbucket.ts';

/** The Lease spec fields leader election reads and writes. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** A coordination.k8s.io/v1 Lease. */
export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** What the elector tells its owner. */
export interface LeaderCallbacks {
  /** We lead; `signal` aborts when leadership is lost or the elector stops. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called when run() ends (as upstream: whether or not we ever led). */
  onStoppedLeading(): void;
  /** The observed leader changed (also when it becomes us). */
  onNewLeader?(identity: string): void;
}

/** Leader election settings; timings default to upstream's 15 s / 10 s / 2 s. */
export interface LeaderElectionConfig {
  readonly client: RestClient;
  readonly namespace: string;
  readonly name: string;
  /** Unique per candidate (upstream: hostname + '_' + uuid). */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Give the lease up when leading ends (signal aborted or renewal failed; default true). */
  readonly releaseOnCancel?: boolean;
  readonly callbacks: LeaderCallbacks;
  readonly logger?: ClientLogger;
}

/** metav1.MicroTime text: `2006-01-02T15:04:05.000000Z`. */
export function microTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A candidate identity like upstream components use: `<hostname>_<uuid>`. */
export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

const leases = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' } as const;

/** Runs one candidate's acquire → lead → renew cycle. */
export class LeaderElector {
  private readonly cfg: LeaderElectionConfig;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly logger: ClientLogger;
  /** The lease as last read or written (its resourceVersion guards our next write). */
  private lease: Lease | undefined;
  private observedSpec: LeaseSpec = {};
  private observedRaw = '';
  /** Local monotonic time when observedSpec last changed. */
  private observedAt = 0;
  private reportedLeader: string | undefined;

  constructor(cfg: LeaderElectionConfig) {
    this.cfg = cfg;
    this.leaseDurationMs = cfg.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = cfg.retryPeriodMs ?? 2_000;
    this.logger = cfg.logger ?? stderrLogger;
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new Error('leaseDuration must be greater than renewDeadline');
    }
    if (this.renewDeadlineMs <= this.retryPeriodMs * 1.2) {
      throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
    }
  }

  /** True while the last observed lease names us. */
  isLeader(): boolean {
    return this.observedSpec.holderIdentity === this.cfg.identity;
  }

  /** The identity holding the lease as last observed ('' if none). */
  getLeader(): string {
    return this.observedSpec.holderIdentity ?? '';
  }

  private ref(): { group: string; version: string; resource: string; namespace: string; name: string } {
    return { ...leases, namespace: this.cfg.namespace, name: this.cfg.name };
  }

  private leaseValid(now: number): boolean {
    const seconds = this.observedSpec.leaseDurationSeconds ?? Math.round(this.leaseDurationMs / 1000);
    return this.observedAt + seconds * 1000 > now;
  }

  private observe(lease: Lease, now: number): void {
    this.lease = lease;
    const spec = lease.spec ?? {};
    const raw = JSON.stringify(spec);
    if (raw !== this.observedRaw) {
      this.observedRaw = raw;
      this.observedSpec = spec;
      this.observedAt = now;
    }
    const holder = spec.holderIdentity ?? '';
    if (holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      if (holder !== '') {
        try {
          this.cfg.callbacks.onNewLeader?.(holder);
        } catch (e) {
          this.logger('error', `leaderelection: onNewLeader threw: ${(e as Error).message}`);
        }
      }
    }
  }

  private async write(spec: LeaseSpec, signal: AbortSignal): Promise<void> {
    const base = this.lease;
    if (base === undefined) {
      throw new Error('no lease read yet');
    }
    const updated = await this.cfg.client.update<Lease>(this.ref(), { ...base, spec: { ...base.spec, ...spec } }, undefined, signal);
    this.observe(updated, performance.now());
  }

  /** One attempt to acquire or renew (client-go tryAcquireOrRenew); true if we hold the lease after it. */
  async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const nowTime = microTime();
    const desired: LeaseSpec = {
      holderIdentity: this.cfg.identity,
      leaseDurationSeconds: Math.round(this.leaseDurationMs / 1000),
      renewTime: nowTime,
      acquireTime: nowTime,
    };
    // Fast path: we lead and our lease is still valid, so renew from what we last wrote.
    if (this.isLeader() && this.leaseValid(performance.now())) {
      try {
        await this.write({ ...desired, acquireTime: this.observedSpec.acquireTime, leaseTransitions: this.observedSpec.leaseTransitions }, signal);
        return true;
      } catch (e) {
        this.logger('warning', `leaderelection: failed to renew lease ${this.cfg.namespace}/${this.cfg.name}: ${(e as Error).message}; re-reading`);
      }
    }
    let current: Lease;
    try {
      current = await this.cfg.client.get<Lease>(this.ref(), undefined, signal);
    } catch (e) {
      if (!isNotFound(e)) {
        this.logger('warning', `leaderelection: error retrieving lease ${this.cfg.namespace}/${this.cfg.name}: ${(e as Error).message}`);
        return false;
      }
      try {
        const created = await this.cfg.client.create<Lease>(
          { ...leases, namespace: this.cfg.namespace },
          { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.cfg.name, namespace: this.cfg.namespace }, spec: { ...desired, leaseTransitions: 0 } },
          undefined,
          signal,
        );
        this.observe(created, performance.now());
        return true;
      } catch (ce) {
        this.logger('warning', `leaderelection: error initially creating lease: ${(ce as Error).message}`);
        return false;
      }
    }
    const now = performance.now();
    this.observe(current, now);
    const old = current.spec ?? {};
    if ((old.holderIdentity ?? '') !== '' && this.leaseValid(now) && !this.isLeader()) {
      return false;
    }
    const spec: LeaseSpec = this.isLeader()
      ? { ...desired, acquireTime: old.acquireTime, leaseTransitions: old.leaseTransitions ?? 0 }
      : { ...desired, leaseTransitions: (old.leaseTransitions ?? 0) + 1 };
    try {
      await this.write(spec, signal);
      return true;
    } catch (e) {
      this.logger('warning', `leaderelection: failed to update lease ${this.cfg.namespace}/${this.cfg.name}: ${(e as Error).message}`);
      return false;
    }
  }

  private jittered(): number {
    return this.retryPeriodMs * (1 + Math.random() * 1.2);
  }

  /**
   * Campaigns until we lead, leads until renewal fails for renewDeadline or `signal` aborts,
   * then releases (graceful stop) and calls onStoppedLeading. Never throws.
   */
  async run(signal: AbortSignal): Promise<void> {
    try {
      if (!(await this.acquire(signal))) {
        return;
      }
      const leading = new AbortController();
      const stopLeading = (): void => leading.abort();
      signal.addEventListener('abort', stopLeading, { once: true });
      this.logger('info', `leaderelection: successfully acquired lease ${this.cfg.namespace}/${this.cfg.name}`);
      void (async () => {
        try {
          await this.cfg.callbacks.onStartedLeading(leading.signal);
        } catch (e) {
          this.logger('error', `leaderelection: onStartedLeading threw: ${(e as Error).message}`);
        }
      })();
      await this.renew(signal);
      signal.removeEventListener('abort', stopLeading);
      leading.abort();
      // As upstream, also after a failed renewal: release() is a no-op unless the lease still names us.
      if (this.cfg.releaseOnCancel ?? true) {
        await this.release();
      }
    } finally {
      this.cfg.callbacks.onStoppedLeading();
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.logger('info', `leaderelection: attempting to acquire lease ${this.cfg.namespace}/${this.cfg.name}...`);
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal).catch(() => false)) {
        return true;
      }
      await sleep(this.jittered(), signal).catch(() => {});
    }
    return false;
  }

  /** Renews every retryPeriod; returns when a renewal could not succeed within renewDeadline, or on abort. */
  private async renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const deadline = AbortSignal.any([signal, AbortSignal.timeout(this.renewDeadlineMs)]);
      let renewed = false;
      while (!deadline.aborted) {
        if (await this.tryAcquireOrRenew(deadline).catch(() => false)) {
          renewed = true;
          break;
        }
        await sleep(this.retryPeriodMs, deadline).catch(() => {});
      }
      if (!renewed) {
        if (!signal.aborted) {
          this.logger('warning', `leaderelection: failed to renew lease ${this.cfg.namespace}/${this.cfg.name}: timed out waiting for the condition`);
        }
        return;
      }
      await sleep(this.retryPeriodMs, signal).catch(() => {});
    }
  }

  /**
   * Gives the lease up (holder cleared, 1 s duration) if we hold it; true on success. A renewal
   * cut short by the stop may still have landed, leaving our resourceVersion stale, so a
   * conflict re-reads the lease and retries while it still names us.
   */
  async release(): Promise<boolean> {
    if (!this.isLeader()) {
      return true;
    }
    const deadline = AbortSignal.timeout(this.renewDeadlineMs);
    let base = this.lease;
    for (let attempt = 0; base !== undefined && attempt < 3; attempt++) {
      const now = microTime();
      const released: Lease = {
        ...base,
        spec: { leaseTransitions: base.spec?.leaseTransitions ?? this.observedSpec.leaseTransitions, leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
      };
      try {
        const updated = await this.cfg.client.update<Lease>(this.ref(), released, undefined, deadline);
        this.observe(updated, performance.now());
        return true;
      } catch (e) {
        if (!isConflict(e)) {
          this.logger('warning', `leaderelection: failed to release lease: ${(e as Error).message}`);
          return false;
        }
        try {
          base = await this.cfg.client.get<Lease>(this.ref(), undefined, deadline);
        } catch (ge) {
          this.logger('warning', `leaderelection: failed to release lease: ${(ge as Error).message}`);
          return false;
        }
        if (base.spec?.holderIdentity !== this.cfg.identity) {
          this.observe(base, performance.now());
          return true;
        }
      }
    }
    this.logger('warning', 'leaderelection: failed to release lease: conflicts');
    return false;
  }
}
