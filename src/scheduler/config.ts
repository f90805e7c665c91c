/**
 * KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) files: client connection,
 * leader election, queue timings, percentageOfNodesToScore and profiles. Plugins are enabled
 * and disabled per profile against the default set: disabled under multiPoint removes a plugin,
 * disabled under one extension point (`score`, `filter`, ...) turns off just that hook; `*`
 * means every default plugin.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { PluginConfig, ProfileConfig } from './framework/runtime.ts';
import { defaultPlugins } from './plugins/registry.ts';
import { DEFAULT_SCHEDULER_NAME } from './types.ts';

/** The parts of the configuration the scheduler honours. */
export interface SchedulerConfig {
  kubeconfig?: string;
  qps?: number;
  burst?: number;
  leaderElect?: boolean;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  resourceName?: string;
  resourceNamespace?: string;
  percentageOfNodesToScore?: number;
  podInitialBackoffSeconds?: number;
  podMaxBackoffSeconds?: number;
  profiles: ProfileConfig[];
}

/** The default single profile, `default-scheduler`. */
export function defaultProfiles(): ProfileConfig[] {
  return [{ schedulerName: DEFAULT_SCHEDULER_NAME, plugins: defaultPlugins }];
}

/** Parses a Go duration (`15s`, `1m30s`, `500ms`) into milliseconds. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    total += Number(m[1]) * unit;
    consumed += m[0].length;
  }
  if (consumed !== text.length || text === '') {
    throw new Error(`time: invalid duration "${text}"`);
  }
  return total;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** Resolves one profile's plugin list from its `plugins` section. */
export function profilePlugins(plugins: unknown): PluginConfig[] {
  let out: PluginConfig[] = [...defaultPlugins];
  if (!isObj(plugins)) {
    return out;
  }
  const removed = new Set<string>();
  const disabledAt = new Map<string, string[]>();
  const enabled: PluginConfig[] = [];
  for (const [point, section] of Object.entries(plugins)) {
    if (!isObj(section)) {
      continue;
    }
    for (const d of list(section.disabled)) {
      const name = String(d.name);
      if (point === 'multiPoint') {
        removed.add(name);
        continue;
      }
      for (const p of name === '*' ? out.map((x) => x.name) : [name]) {
        disabledAt.set(p, [...(disabledAt.get(p) ?? []), point]);
      }
    }
    for (const e of list(section.enabled)) {
      enabled.push({ name: String(e.name), weight: typeof e.weight === 'number' ? e.weight : undefined });
    }
  }
  out = removed.has('*') ? [] : out.filter((p) => !removed.has(p.name));
  out = out.map((p) => (disabledAt.has(p.name) ? { ...p, disabledAt: disabledAt.get(p.name) } : p));
  for (const e of enabled) {
    const i = out.findIndex((p) => p.name === e.name);
    if (i >= 0) {
      // Enabling at a point re-enables the plugin there (and everywhere else it was disabled, a simplification).
      out[i] = { name: e.name, weight: e.weight ?? out[i].weight };
    } else {
      out.push(e);
    }
  }
  return out;
}

/** Reads a KubeSchedulerConfiguration file. */
export async function loadSchedulerConfig(path: string): Promise<SchedulerConfig> {
  const doc: unknown = parseYaml(await readFile(path, 'utf8'));
  if (!isObj(doc) || doc.kind !== 'KubeSchedulerConfiguration') {
    throw new Error(`${path}: not a KubeSchedulerConfiguration`);
  }
  const cc = isObj(doc.clientConnection) ? doc.clientConnection : {};
  const le = isObj(doc.leaderElection) ? doc.leaderElection : {};
  const dur = (v: unknown): number | undefined => (typeof v === 'string' ? parseDuration(v) : undefined);
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  const profiles = list(doc.profiles).map((p) => ({ schedulerName: typeof p.schedulerName === 'string' ? p.schedulerName : DEFAULT_SCHEDULER_NAME, plugins: profilePlugins(p.plugins) }));
  return {
    kubeconfig: typeof cc.kubeconfig === 'string' && cc.kubeconfig !== '' ? cc.kubeconfig : undefined,
    qps: num(cc.qps),
    burst: num(cc.burst),
    leaderElect: typeof le.leaderElect === 'boolean' ? le.leaderElect : undefined,
    leaseDurationMs: dur(le.leaseDuration),
    renewDeadlineMs: dur(le.renewDeadline),
    retryPeriodMs: dur(le.retryPeriod),
    resourceName: typeof le.resourceName === 'string' ? le.resourceName : undefined,
    resourceNamespace: typeof le.resourceNamespace === 'string' ? le.resourceNamespace : undefined,
    percentageOfNodesToScore: num(doc.percentageOfNodesToScore),
    podInitialBackoffSeconds: num(doc.podInitialBackoffSeconds),
    podMaxBackoffSeconds: num(doc.podMaxBackoffSeconds),
    profiles: profiles.length > 0 ? profiles : defaultProfiles(),
  };
}
