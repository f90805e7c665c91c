/**
 * The proxier: on every (debounced) sync renders the desired ruleset from the cached Services
 * and EndpointSlices (reusing the fragments of unchanged Services) and applies it with one
 * `nft -f` transaction: a partial one (only what changed since the last apply) for requested
 * syncs, a full atomic replace for the first, periodic and retry syncs. A requested sync with
 * nothing changed applies nothing.
 */
import type { ClientLogger } from '../client/index.ts';
import type { HostCommands } from './nft.ts';
import { cidrContains } from './nft.ts';
import { partialText } from './partial.ts';
import { cleanupRuleset, FragmentCache, fullText, renderState, TABLE_NAME } from './render.ts';
import type { DesiredState } from './render.ts';
import { BoundedFrequencyRunner } from './runner.ts';
import type { RunReason } from './runner.ts';
import type { EndpointSlice, Service } from './types.ts';

/** Everything the proxier needs; the object sources are read afresh on each sync. */
export interface ProxierOptions {
  readonly hostname: string;
  readonly clusterCIDR?: string;
  /** CIDRs whose local addresses answer NodePorts; empty: every local address (localhost too). */
  readonly nodePortAddresses: readonly string[];
  readonly syncPeriodMs: number;
  readonly minSyncPeriodMs: number;
  readonly commands: HostCommands;
  readonly services: () => Iterable<Service>;
  readonly slices: () => Iterable<EndpointSlice>;
  readonly logger?: ClientLogger;
  readonly table?: string;
  /** Called after each sync attempt (tests, metrics). */
  readonly onSync?: (result: SyncResult) => void;
}

/** What one sync did. */
export interface SyncResult {
  readonly reason: RunReason;
  readonly applied: boolean;
  readonly servicePorts: number;
  readonly endpoints: number;
  readonly renderMs: number;
  readonly applyMs: number;
  /** 'full' replaced the table, 'partial' changed only what differed. */
  readonly mode?: 'full' | 'partial';
  readonly error?: Error;
}

/** Keeps the nft table equal to what the caches say. */
export class Proxier {
  private readonly opts: ProxierOptions;
  private readonly runner: BoundedFrequencyRunner;
  /** The table as last applied; undefined after a failure (the next sync is a full one). */
  private lastState: DesiredState | undefined;
  private readonly fragments = new FragmentCache();
  private localnetDone = false;

  constructor(opts: ProxierOptions) {
    this.opts = opts;
    this.runner = new BoundedFrequencyRunner((reason) => this.sync(reason), { minIntervalMs: opts.minSyncPeriodMs, maxIntervalMs: opts.syncPeriodMs });
  }

  /** Asks for a sync (call from informer handlers; cheap and collapsing). */
  requestSync(): void {
    this.runner.request();
  }

  /** Stops syncing (the table stays: services keep working while the proxy restarts). */
  async stop(): Promise<void> {
    await this.runner.stop();
  }

  private lastConflicts = '';

  /** Logs Services that lost an external address to an older one, once per change. */
  private reportConflicts(conflicts: DesiredState['conflicts']): void {
    const text = conflicts.map((c) => `${c.service} lost ${c.addresses.join(', ')} (already used by ${c.heldBy} on the same port)`).join('; ');
    if (text !== this.lastConflicts && text !== '') {
      this.opts.logger?.('warning', `proxy: external address conflicts: ${text}`);
    }
    this.lastConflicts = text;
  }

  private async nodePortIPs(): Promise<string[] | undefined> {
    if (this.opts.nodePortAddresses.length === 0) {
      return undefined;
    }
    const addrs = await this.opts.commands.ipv4Addresses();
    return addrs.filter((a) => this.opts.nodePortAddresses.some((c) => cidrContains(c, a)));
  }

  /** One sync: render, compare, apply. Throws when nft refuses, so the runner retries. */
  async sync(reason: RunReason): Promise<void> {
    const t0 = performance.now();
    let servicePorts = 0;
    let endpoints = 0;
    let renderMs = 0;
    try {
      const nodePortIPs = await this.nodePortIPs();
      const includesLocalhost = nodePortIPs === undefined || nodePortIPs.some((ip) => ip.startsWith('127.'));
      if (includesLocalhost && !this.localnetDone) {
        // NodePorts on 127.0.0.1: DNAT sends loopback-sourced packets out of a real interface,
        // which the kernel drops as martians unless route_localnet is on (upstream iptables mode does the same).
        await this.opts.commands.sysctl('net.ipv4.conf.all.route_localnet', '1');
        this.localnetDone = true;
      }
      const state = renderState(this.opts.services(), this.opts.slices(), { hostname: this.opts.hostname, clusterCIDR: this.opts.clusterCIDR, nodePortIPs, table: this.opts.table }, this.fragments);
      servicePorts = state.servicePorts;
      endpoints = state.endpoints;
      this.reportConflicts(state.conflicts);
      // Requested syncs change only what differs; periodic and retry syncs rewrite the whole table,
      // which also repairs a table someone else changed or deleted.
      const partial = reason === 'requested' && this.lastState !== undefined ? partialText(this.lastState, state) : undefined;
      const text = partial?.text ?? fullText(state);
      renderMs = performance.now() - t0;
      if (partial !== undefined && partial.text === '') {
        this.lastState = state;
        this.opts.onSync?.({ reason, applied: false, servicePorts, endpoints, renderMs, applyMs: 0 });
        return;
      }
      const t1 = performance.now();
      this.lastState = undefined;
      await this.opts.commands.nftApply(text);
      this.lastState = state;
      const applyMs = performance.now() - t1;
      const mode = partial !== undefined ? 'partial' : 'full';
      const what = partial !== undefined ? `${partial.stats.chains} chains, ${partial.stats.elements} elements changed` : `${servicePorts} service ports, ${endpoints} endpoints`;
      this.opts.logger?.('info', `proxy: ${mode} sync, ${what} (${reason}; render ${renderMs.toFixed(0)} ms, nft ${applyMs.toFixed(0)} ms)`);
      this.opts.onSync?.({ reason, applied: true, servicePorts, endpoints, renderMs, applyMs, mode });
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.lastState = undefined;
      this.opts.logger?.('error', `proxy: sync failed (${reason}): ${error.message}`);
      this.opts.onSync?.({ reason, applied: false, servicePorts, endpoints, renderMs, applyMs: 0, error });
      throw error;
    }
  }
}

/** `--cleanup`: deletes the proxy's table (if any); nothing else of the host is touched. */
export async function cleanupProxyRules(commands: HostCommands, table: string = TABLE_NAME): Promise<void> {
  await commands.nftApply(cleanupRuleset(table));
}
