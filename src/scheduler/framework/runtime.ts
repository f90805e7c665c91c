/**
 * Framework: one scheduler profile's plugins wired to the extension points in configuration
 * order, and the loops that run them (upstream frameworkruntime). Filters stop at the first
 * rejection; scores are normalised per plugin and summed with the plugin's weight.
 */
import { Code, CycleState, MAX_NODE_SCORE, Status } from './interface.ts';
import type {
  BindPlugin,
  FilterPlugin,
  Handle,
  MaybeStatus,
  PermitPlugin,
  Plugin,
  PostFilterPlugin,
  PostFilterResult,
  PreBindPlugin,
  PreFilterPlugin,
  PreScorePlugin,
  ReservePlugin,
  ScorePlugin,
} from './interface.ts';
import type { NodeInfo } from './nodeinfo.ts';
import type { Registry } from './registry.ts';
import type { RPod } from '../types.ts';
import type { BindFunc } from '../plugins/defaultbinder/defaultbinder.ts';
import type { VolumeBindingDeps } from '../plugins/volumebinding/volumebinding.ts';

/** What plugin factories get: the API bind call and this framework (for preemption's what-ifs). */
export interface FrameworkContext {
  readonly bind: BindFunc;
  readonly framework: Framework;
  /** Claims, volumes and classes for VolumeBinding (absent: it only sees claims' phases). */
  readonly volumeBinding?: VolumeBindingDeps;
}

/** One enabled plugin and its score weight. */
export interface PluginConfig {
  readonly name: string;
  readonly weight?: number;
  /** Extension points (`filter`, `score`, ...) where this plugin is disabled. */
  readonly disabledAt?: readonly string[];
}

/** A profile: the scheduler name it answers to and its plugins in order. */
export interface ProfileConfig {
  readonly schedulerName: string;
  readonly plugins: readonly PluginConfig[];
}

function has<K extends string>(p: Plugin, method: K, pc?: PluginConfig): p is Plugin & Record<K, (...args: never[]) => unknown> {
  return typeof (p as unknown as Record<string, unknown>)[method] === 'function' && pc?.disabledAt?.includes(method) !== true;
}

/** A running profile. */
export class Framework {
  readonly profileName: string;
  readonly plugins: readonly Plugin[];
  readonly preFilter: PreFilterPlugin[] = [];
  readonly filters: FilterPlugin[] = [];
  readonly postFilter: PostFilterPlugin[] = [];
  readonly preScore: PreScorePlugin[] = [];
  readonly scores: { plugin: ScorePlugin; weight: number }[] = [];
  readonly reserve: ReservePlugin[] = [];
  readonly permit: PermitPlugin[] = [];
  readonly preBind: PreBindPlugin[] = [];
  readonly bindPlugins: BindPlugin[] = [];
  private scoreBuffer = new Float64Array(0);

  constructor(profile: ProfileConfig, registry: Registry, bind: BindFunc, volumeBinding?: VolumeBindingDeps) {
    this.profileName = profile.schedulerName;
    const plugins: Plugin[] = [];
    const seen = new Set<string>();
    for (const pc of profile.plugins) {
      const f = registry.get(pc.name);
      if (f === undefined) {
        throw new Error(`plugin "${pc.name}" does not exist`);
      }
      if (seen.has(pc.name)) {
        throw new Error(`plugin "${pc.name}" already registered`);
      }
      seen.add(pc.name);
      const p = f({ bind, framework: this, volumeBinding });
      plugins.push(p);
      if (has(p, 'preFilter', pc)) {
        this.preFilter.push(p as PreFilterPlugin);
      }
      if (has(p, 'filter', pc)) {
        this.filters.push(p as FilterPlugin);
      }
      if (has(p, 'postFilter', pc)) {
        this.postFilter.push(p as PostFilterPlugin);
      }
      if (has(p, 'preScore', pc)) {
        this.preScore.push(p as PreScorePlugin);
      }
      if (has(p, 'score', pc)) {
        this.scores.push({ plugin: p as ScorePlugin, weight: pc.weight ?? 1 });
      }
      if (has(p, 'reserve', pc)) {
        this.reserve.push(p as ReservePlugin);
      }
      if (has(p, 'permit', pc)) {
        this.permit.push(p as PermitPlugin);
      }
      if (has(p, 'preBind', pc)) {
        this.preBind.push(p as PreBindPlugin);
      }
      if (has(p, 'bind', pc)) {
        this.bindPlugins.push(p as BindPlugin);
      }
    }
    if (this.bindPlugins.length === 0) {
      throw new Error(`profile "${profile.schedulerName}": at least one bind plugin is needed`);
    }
    this.plugins = plugins;
  }

  /** Runs PreFilter plugins; a rejection is returned with its plugin name (Skip marks that plugin's Filter skipped). */
  runPreFilter(state: CycleState, pod: RPod, handle: Handle): MaybeStatus {
    state.activeFilters = undefined;
    for (const p of this.preFilter) {
      const s = p.preFilter(state, pod, handle);
      if (s === undefined || s.code === Code.Success) {
        continue;
      }
      if (s.code === Code.Skip) {
        state.skipFilter.add(p.name);
        continue;
      }
      s.plugin = p.name;
      return s;
    }
    // The skips are settled now: each node's filtering walks just the plugins left.
    state.activeFilters = this.filtersNotSkipped(state);
    return undefined;
  }

  private filtersNotSkipped(state: CycleState): readonly FilterPlugin[] {
    const skip = state.skipFilter;
    return skip.size === 0 ? this.filters : this.filters.filter((p) => !skip.has(p.name));
  }

  /** Runs every Filter (but those PreFilter skipped) on one node; the first rejection wins. */
  runFilters(state: CycleState, pod: RPod, node: NodeInfo): MaybeStatus {
    const filters = state.activeFilters ?? this.filtersNotSkipped(state);
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i];
      const s = p.filter(state, pod, node);
      if (s !== undefined && s.code !== Code.Success) {
        s.plugin = p.name;
        return s;
      }
    }
    return undefined;
  }

  /** Tells PreFilter extensions a pod joined (`add`) or left a node, for what-if evaluation. */
  runPreFilterExtension(state: CycleState, pod: RPod, other: RPod, node: NodeInfo, add: boolean): void {
    for (const p of this.preFilter) {
      if (state.skipFilter.has(p.name)) {
        continue;
      }
      if (add) {
        p.addPod?.(state, pod, other, node);
      } else {
        p.removePod?.(state, pod, other, node);
      }
    }
  }

  /** Runs PostFilter plugins until one nominates a node. */
  runPostFilter(state: CycleState, pod: RPod, filtered: ReadonlyMap<string, Status>, handle: Handle): PostFilterResult | undefined {
    let last: PostFilterResult | undefined;
    for (const p of this.postFilter) {
      const r = p.postFilter(state, pod, filtered, handle);
      r.status.plugin = p.name;
      if (r.status.code === Code.Success) {
        return r;
      }
      last = r;
    }
    return last;
  }

  /**
   * Runs PreScore, then each Score over `nodes`, normalises, weights and sums into one array.
   * The array is this framework's scratch space: valid until its next runScores call.
   */
  runScores(state: CycleState, pod: RPod, nodes: readonly NodeInfo[], handle: Handle): Float64Array {
    for (const p of this.preScore) {
      const s = p.preScore(state, pod, nodes, handle);
      if (s !== undefined && s.code === Code.Skip) {
        state.skipScore.add(p.name);
      }
    }
    const n = nodes.length;
    // Two arrays of this size per cycle would each be an off-heap buffer for the GC to track: reuse them.
    if (this.scoreBuffer.length < 2 * n) {
      this.scoreBuffer = new Float64Array(2 * Math.max(n, 256));
    }
    const total = this.scoreBuffer.subarray(0, n);
    const scratch = this.scoreBuffer.subarray(n, 2 * n);
    total.fill(0);
    for (const { plugin, weight } of this.scores) {
      if (state.skipScore.has(plugin.name)) {
        continue;
      }
      for (let i = 0; i < n; i++) {
        scratch[i] = plugin.score(state, pod, nodes[i]);
      }
      plugin.normalize?.(state, pod, scratch);
      for (let i = 0; i < n; i++) {
        total[i] += Math.min(MAX_NODE_SCORE, Math.max(0, scratch[i])) * weight;
      }
    }
    return total;
  }

  /** Runs Reserve plugins; on failure unreserves the ones already run, in reverse. */
  runReserve(state: CycleState, pod: RPod, nodeName: string): MaybeStatus {
    for (let i = 0; i < this.reserve.length; i++) {
      const s = this.reserve[i].reserve(state, pod, nodeName);
      if (s !== undefined && s.code !== Code.Success) {
        s.plugin = this.reserve[i].name;
        this.runUnreserve(state, pod, nodeName);
        return s;
      }
    }
    return undefined;
  }

  /** Runs every Unreserve, last to first. */
  runUnreserve(state: CycleState, pod: RPod, nodeName: string): void {
    for (let i = this.reserve.length - 1; i >= 0; i--) {
      this.reserve[i].unreserve(state, pod, nodeName);
    }
  }

  /** Runs Permit plugins (Wait is treated as a rejection: no waiting permits in this scheduler). */
  runPermit(state: CycleState, pod: RPod, nodeName: string): MaybeStatus {
    for (const p of this.permit) {
      const s = p.permit(state, pod, nodeName);
      if (s !== undefined && s.code !== Code.Success) {
        s.plugin = p.name;
        return s;
      }
    }
    return undefined;
  }

  /** Runs PreBind, then Bind plugins until one does not Skip. */
  async runBindingCycle(state: CycleState, pod: RPod, nodeName: string): Promise<MaybeStatus> {
    for (const p of this.preBind) {
      const s = await p.preBind(state, pod, nodeName);
      if (s !== undefined && s.code !== Code.Success) {
        s.plugin = p.name;
        return s;
      }
    }
    for (const p of this.bindPlugins) {
      const s = await p.bind(state, pod, nodeName);
      if (s !== undefined && s.code === Code.Skip) {
        continue;
      }
      if (s !== undefined) {
        s.plugin = p.name;
      }
      return s;
    }
    return new Status(Code.Error, ['no bind plugin bound the pod']);
  }

  /** A fresh cycle state. */
  newCycleState(): CycleState {
    return new CycleState();
  }
}
