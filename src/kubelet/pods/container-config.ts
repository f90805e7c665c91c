/**
 * Turns a pod spec container into the runtime's ContainerConfig: command/args (the runtime
 * falls back to the image's Entrypoint/Cmd), env with valueFrom and envFrom resolved as the
 * kubelet does (later entries win, `$(VAR)` expanded from earlier ones), resources in cgroup
 * units, and the basic securityContext.
 */
import type { ContainerConfig, ContainerResources, ContainerSecurity, Mount } from '../runtime/types.ts';
import type { ContainerSpec, EnvVar, Pod } from './types.ts';
import { quantityValue } from '../node/node-agent.ts';

/** Reads ConfigMap/Secret data for env resolution (undefined when the object does not exist). */
export type DataSource = (kind: 'configmaps' | 'secrets', namespace: string, name: string) => Promise<Readonly<Record<string, string>> | undefined>;

/** What translation needs besides the pod. */
export interface ContainerContext {
  readonly podIp: string;
  readonly hostIp: string;
  readonly nodeName: string;
  readonly data: DataSource;
  readonly mounts: readonly Mount[];
  readonly attempt: number;
}

/** A ConfigMap/Secret/key the container needs is missing: the kubelet reports CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** The value of a downward-API fieldPath, or undefined when unsupported. */
export function fieldValue(pod: Pod, fieldPath: string, ctx: { readonly podIp: string; readonly hostIp: string; readonly nodeName: string }): string | undefined {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (m !== null) {
    return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]] ?? '';
  }
  const fmtMap = (map: Readonly<Record<string, string>> | undefined): string => Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n');
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name;
    case 'metadata.namespace': return pod.metadata.namespace;
    case 'metadata.uid': return pod.metadata.uid;
    case 'metadata.labels': return fmtMap(pod.metadata.labels);
    case 'metadata.annotations': return fmtMap(pod.metadata.annotations);
    case 'spec.nodeName': return ctx.nodeName;
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? 'default';
    case 'status.hostIP': return ctx.hostIp;
    case 'status.hostIPs': return ctx.hostIp;
    case 'status.podIP': return ctx.podIp;
    case 'status.podIPs': return ctx.podIp;
    default: return undefined;
  }
}

/** The value of a resourceFieldRef (limits default to the node's capacity, which we approximate by requests or 0). */
export function resourceValue(container: ContainerSpec | undefined, resource: string, divisor = '1'): string {
  const [kind, name] = resource.split('.');
  const list = kind === 'limits' ? container?.resources?.limits : container?.resources?.requests;
  const q = list?.[name ?? ''] ?? (kind === 'limits' ? container?.resources?.requests?.[name ?? ''] : undefined) ?? '0';
  const v = quantityValue(q) / (quantityValue(divisor) || 1);
  return String(Math.ceil(v));
}

function expand(text: string, env: ReadonlyMap<string, string>): string {
  // $(VAR) expands when VAR is defined earlier; $$(VAR) escapes.
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) => {
    if (name === undefined) {
      return '$';
    }
    return env.get(name) ?? all;
  });
}

async function sourceData(ctx: ContainerContext, kind: 'configmaps' | 'secrets', ns: string, name: string, optional: boolean | undefined): Promise<Readonly<Record<string, string>> | undefined> {
  const data = await ctx.data(kind, ns, name);
  if (data === undefined && optional !== true) {
    throw new ContainerConfigError(`${kind === 'configmaps' ? 'configmap' : 'secret'} "${name}" not found`);
  }
  return data;
}

/** Resolves a container's environment in the kubelet's order: envFrom first, then env. */
export async function resolveEnv(pod: Pod, container: ContainerSpec, ctx: ContainerContext): Promise<Map<string, string>> {
  const env = new Map<string, string>();
  const ns = pod.metadata.namespace ?? 'default';
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (ref === undefined) {
      continue;
    }
    const data = await sourceData(ctx, from.configMapRef !== undefined ? 'configmaps' : 'secrets', ns, ref.name, ref.optional);
    for (const [k, v] of Object.entries(data ?? {})) {
      env.set(`${from.prefix ?? ''}${k}`, v);
    }
  }
  for (const e of container.env ?? []) {
    env.set(e.name, await envValue(pod, container, e, ctx, env));
  }
  return env;
}

async function envValue(pod: Pod, container: ContainerSpec, e: EnvVar, ctx: ContainerContext, env: ReadonlyMap<string, string>): Promise<string> {
  if (e.valueFrom === undefined) {
    return expand(e.value ?? '', env);
  }
  const { fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef } = e.valueFrom;
  if (fieldRef !== undefined) {
    return fieldValue(pod, fieldRef.fieldPath, ctx) ?? '';
  }
  if (resourceFieldRef !== undefined) {
    const target = resourceFieldRef.containerName === undefined ? container : [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === resourceFieldRef.containerName);
    return resourceValue(target, resourceFieldRef.resource, resourceFieldRef.divisor);
  }
  const keyRef = configMapKeyRef ?? secretKeyRef;
  if (keyRef !== undefined) {
    const kind = configMapKeyRef !== undefined ? 'configmaps' : 'secrets';
    const data = await sourceData(ctx, kind, pod.metadata.namespace ?? 'default', keyRef.name, keyRef.optional);
    const v = data?.[keyRef.key];
    if (v === undefined && data !== undefined && keyRef.optional !== true) {
      throw new ContainerConfigError(`couldn't find key ${keyRef.key} in ${kind === 'configmaps' ? 'ConfigMap' : 'Secret'} ${pod.metadata.namespace ?? 'default'}/${keyRef.name}`);
    }
    return v ?? '';
  }
  return '';
}

/** cgroup v1 settings from requests/limits, as the kubelet converts them. */
export function containerResources(container: ContainerSpec): ContainerResources {
  const cpuReq = quantityValue(container.resources?.requests?.cpu ?? container.resources?.limits?.cpu ?? '0');
  const cpuLimit = container.resources?.limits?.cpu;
  const memLimit = container.resources?.limits?.memory;
  const shares = cpuReq > 0 ? Math.max(2, Math.floor(cpuReq * 1024)) : 2;
  const out: { cpuShares: number; cpuQuota?: number; cpuPeriod?: number; memoryLimitBytes?: number } = { cpuShares: shares };
  if (cpuLimit !== undefined) {
    out.cpuPeriod = 100_000;
    out.cpuQuota = Math.max(1000, Math.floor(quantityValue(cpuLimit) * 100_000));
  }
  if (memLimit !== undefined) {
    out.memoryLimitBytes = Math.floor(quantityValue(memLimit));
  }
  return out;
}

function security(pod: Pod, container: ContainerSpec): ContainerSecurity {
  const sc = container.securityContext;
  const psc = pod.spec.securityContext;
  return {
    privileged: sc?.privileged,
    readonlyRootfs: sc?.readOnlyRootFilesystem,
    runAsUser: sc?.runAsUser ?? psc?.runAsUser,
    runAsGroup: sc?.runAsGroup ?? psc?.runAsGroup,
    supplementalGroups: psc?.supplementalGroups,
    capabilities: sc?.capabilities,
    noNewPrivileges: sc?.allowPrivilegeEscalation === false ? true : undefined,
  };
}

/** The full ContainerConfig for one attempt of a container. */
export async function containerConfig(pod: Pod, container: ContainerSpec, image: string, ctx: ContainerContext): Promise<ContainerConfig> {
  const env = await resolveEnv(pod, container, ctx);
  return {
    metadata: { name: container.name, attempt: ctx.attempt },
    image,
    command: container.command === undefined ? undefined : container.command.map((c) => expand(c, env)),
    args: container.args === undefined ? undefined : container.args.map((a) => expand(a, env)),
    workingDir: container.workingDir,
    env: [...env].map(([key, value]) => ({ key, value })),
    mounts: ctx.mounts,
    resources: containerResources(container),
    security: security(pod, container),
    labels: {
      'io.kubernetes.container.name': container.name,
      'io.kubernetes.pod.name': pod.metadata.name ?? '',
      'io.kubernetes.pod.namespace': pod.metadata.namespace ?? '',
      'io.kubernetes.pod.uid': pod.metadata.uid ?? '',
    },
    annotations: { 'io.kubernetes.container.restartCount': String(ctx.attempt) },
    tty: container.tty,
    stdin: container.stdin,
  };
}
