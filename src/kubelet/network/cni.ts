/**
 * Calls CNI plugins the CNI way (spec 1.0): the plugin binary from CNI_PATH, the operation and
 * container in CNI_* environment variables, the network config (with `name`, `cniVersion`,
 * `prevResult` and the `runtimeConfig` of the capabilities it declares) on stdin, the result
 * or a `{code,msg}` error on stdout. A conflist runs its plugins in order for ADD/CHECK and in
 * reverse for DEL, threading each ADD result into the next plugin as `prevResult`.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../runtime/command.ts';

/** One plugin entry of a conflist. */
export interface CniPluginConfig {
  readonly type: string;
  readonly capabilities?: Readonly<Record<string, boolean>>;
  readonly [key: string]: unknown;
}

/** A network configuration list (`.conflist`). */
export interface CniConfigList {
  readonly cniVersion: string;
  readonly name: string;
  readonly plugins: readonly CniPluginConfig[];
}

/** A hostPort mapping, the `portMappings` capability. */
export interface CniPortMapping {
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  readonly hostIP?: string;
}

/** The container-side parameters of one invocation. */
export interface CniRuntimeConfig {
  readonly containerId: string;
  /** Path of the network namespace, e.g. /run/netns/k8ts-abc. */
  readonly netns: string;
  readonly ifName: string;
  /** CNI_ARGS key/value pairs (K8S_POD_NAMESPACE, K8S_POD_NAME, ...). */
  readonly args?: Readonly<Record<string, string>>;
  /** Capability arguments passed as runtimeConfig to plugins that declare them. */
  readonly capabilityArgs?: Readonly<Record<string, unknown>>;
}

/** Where plugins live and in which network namespace they run. */
export interface CniExecOptions {
  /** Directories searched for plugin binaries (default /usr/lib/cni, /opt/cni/bin). */
  readonly cniPath?: readonly string[];
  /** Run plugins inside this netns (the node's), via nsenter; default: the caller's netns. */
  readonly nodeNetns?: string;
}

/** An IP address assigned by a plugin. */
export interface CniIpConfig {
  readonly interface?: number;
  readonly address: string;
  readonly gateway?: string;
}

/** A CNI (1.0) result. */
export interface CniResult {
  readonly cniVersion?: string;
  readonly interfaces?: { name: string; mac?: string; sandbox?: string }[];
  readonly ips?: CniIpConfig[];
  readonly routes?: { dst: string; gw?: string }[];
  readonly dns?: Record<string, unknown>;
}

/** The error a plugin reported (CNI error object) or a crash. */
export class CniError extends Error {
  readonly plugin: string;
  readonly code: number;
  constructor(plugin: string, command: string, code: number, msg: string) {
    super(`CNI plugin ${plugin} ${command} failed (code ${code}): ${msg}`);
    this.name = 'CniError';
    this.plugin = plugin;
    this.code = code;
  }
}

/** CNI operations. */
export const CniCommand = { Add: 'ADD', Del: 'DEL', Check: 'CHECK', Version: 'VERSION' } as const;
export type CniCommand = (typeof CniCommand)[keyof typeof CniCommand];

const defaultCniPath = ['/usr/lib/cni', '/opt/cni/bin'];

/** Runs one plugin once; resolves with its parsed stdout (empty object for DEL). */
export async function execPlugin(
  command: CniCommand, plugin: CniPluginConfig, netConf: Record<string, unknown>, rt: CniRuntimeConfig, options: CniExecOptions = {},
): Promise<CniResult> {
  if (!/^[A-Za-z0-9._-]+$/.test(plugin.type)) {
    throw new CniError(plugin.type, command, 1, 'invalid plugin type');
  }
  const cniPath = options.cniPath ?? defaultCniPath;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: command,
    CNI_CONTAINERID: rt.containerId,
    CNI_NETNS: rt.netns,
    CNI_IFNAME: rt.ifName,
    CNI_PATH: cniPath.join(':'),
  };
  if (rt.args !== undefined) {
    env.CNI_ARGS = Object.entries(rt.args).map(([k, v]) => `${k}=${v}`).join(';');
  }
  let binary: string | undefined;
  for (const dir of cniPath) {
    const candidate = join(dir, plugin.type);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) {
      binary = candidate;
      break;
    }
  }
  if (binary === undefined) {
    throw new CniError(plugin.type, command, 1, `failed to find plugin "${plugin.type}" in path [${cniPath.join(' ')}]`);
  }
  const [file, args] = options.nodeNetns !== undefined ? ['nsenter', [`--net=${options.nodeNetns}`, binary]] : [binary, []];
  const result = await runCommand(file, args, { env, input: JSON.stringify(netConf) });
  let parsed: unknown;
  try {
    parsed = result.stdout.trim() === '' ? {} : JSON.parse(result.stdout);
  } catch {
    parsed = undefined;
  }
  if (result.code !== 0) {
    const e = parsed as { code?: number; msg?: string; details?: string } | undefined;
    throw new CniError(plugin.type, command, e?.code ?? result.code, `${e?.msg ?? result.stderr.trim()}${e?.details ? `: ${e.details}` : ''}`);
  }
  return (parsed ?? {}) as CniResult;
}

function pluginNetConf(list: CniConfigList, plugin: CniPluginConfig, rt: CniRuntimeConfig, prevResult: CniResult | undefined): Record<string, unknown> {
  const conf: Record<string, unknown> = { ...plugin, cniVersion: list.cniVersion, name: list.name };
  const runtimeConfig: Record<string, unknown> = {};
  for (const [capability, enabled] of Object.entries(plugin.capabilities ?? {})) {
    const value = rt.capabilityArgs?.[capability];
    if (enabled && value !== undefined) {
      runtimeConfig[capability] = value;
    }
  }
  if (Object.keys(runtimeConfig).length > 0) {
    conf.runtimeConfig = runtimeConfig;
  }
  if (prevResult !== undefined) {
    conf.prevResult = prevResult;
  }
  return conf;
}

/** ADD through every plugin of the list; resolves with the last plugin's result. */
export async function addNetworkList(list: CniConfigList, rt: CniRuntimeConfig, options: CniExecOptions = {}): Promise<CniResult> {
  let prev: CniResult | undefined;
  for (const plugin of list.plugins) {
    prev = await execPlugin(CniCommand.Add, plugin, pluginNetConf(list, plugin, rt, prev), rt, options);
  }
  return prev ?? {};
}

/** CHECK through every plugin with the cached ADD result; throws on the first failure. */
export async function checkNetworkList(list: CniConfigList, rt: CniRuntimeConfig, cached: CniResult, options: CniExecOptions = {}): Promise<void> {
  for (const plugin of list.plugins) {
    await execPlugin(CniCommand.Check, plugin, pluginNetConf(list, plugin, rt, cached), rt, options);
  }
}

/** DEL through the plugins in reverse order; every plugin runs even if an earlier one failed. */
export async function delNetworkList(list: CniConfigList, rt: CniRuntimeConfig, cached: CniResult | undefined, options: CniExecOptions = {}): Promise<void> {
  let firstError: unknown;
  for (const plugin of [...list.plugins].reverse()) {
    try {
      await execPlugin(CniCommand.Del, plugin, pluginNetConf(list, plugin, rt, cached), rt, options);
    } catch (err) {
      firstError ??= err;
    }
  }
  if (firstError !== undefined) {
    throw firstError;
  }
}
