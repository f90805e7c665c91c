/**
 * The kubelet's container runtime interface, shaped like CRI's RuntimeService (DESIGN.md §8):
 * sandboxes hold a pod's namespaces, containers join them. Pod workers code against
 * `ContainerRuntime` only, never against runc or conmon.
 */
import type { Readable, Writable } from 'node:stream';

/** Identifies the pod a sandbox belongs to. */
export interface PodSandboxMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly attempt?: number;
}

/** A hostPort mapping (implemented by the CNI portmap plugin). */
export interface PortMapping {
  readonly containerPort: number;
  readonly hostPort: number;
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  readonly hostIp?: string;
}

/** DNS settings written into the sandbox's /etc/resolv.conf. */
export interface DnsConfig {
  readonly servers?: readonly string[];
  readonly searches?: readonly string[];
  readonly options?: readonly string[];
}

/** What runPodSandbox needs. */
export interface PodSandboxConfig {
  readonly metadata: PodSandboxMetadata;
  readonly hostname?: string;
  /** Directory for container logs (default `<root>/pods/<uid>`). */
  readonly logDirectory?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly portMappings?: readonly PortMapping[];
  /** Use the node's network namespace (no CNI). */
  readonly hostNetwork?: boolean;
  /** Containers share the pause process's PID namespace (shareProcessNamespace). */
  readonly shareProcessNamespace?: boolean;
  /** DNS config; default: the node's /etc/resolv.conf. */
  readonly dnsConfig?: DnsConfig;
  /** Extra /etc/hosts entries (hostAliases). */
  readonly hostAliases?: readonly { readonly ip: string; readonly hostnames: readonly string[] }[];
}

/** CRI sandbox states. */
export const SandboxState = { Ready: 'SANDBOX_READY', NotReady: 'SANDBOX_NOTREADY' } as const;
export type SandboxState = (typeof SandboxState)[keyof typeof SandboxState];

/** A sandbox as listed. */
export interface PodSandbox {
  readonly id: string;
  readonly metadata: PodSandboxMetadata;
  readonly state: SandboxState;
  /** Creation time, ms since the epoch. */
  readonly createdAt: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** The pod IP ('' with host networking or once stopped). */
  readonly ip: string;
  readonly netnsPath?: string;
  readonly pausePid: number;
}

/** A volume or file bind-mounted into a container. */
export interface Mount {
  readonly containerPath: string;
  readonly hostPath: string;
  readonly readonly?: boolean;
}

/** Compute resources (already converted to cgroup v1 units, like CRI's LinuxContainerResources). */
export interface ContainerResources {
  readonly cpuShares?: number;
  readonly cpuQuota?: number;
  readonly cpuPeriod?: number;
  readonly memoryLimitBytes?: number;
  readonly pidsLimit?: number;
}

/** Linux security settings of a container. */
export interface ContainerSecurity {
  readonly privileged?: boolean;
  readonly readonlyRootfs?: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly supplementalGroups?: readonly number[];
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly noNewPrivileges?: boolean;
  /** `RuntimeDefault` applies a default seccomp profile; default `Unconfined`. */
  readonly seccomp?: 'RuntimeDefault' | 'Unconfined';
}

/** What createContainer needs. */
export interface ContainerConfig {
  readonly metadata: { readonly name: string; readonly attempt?: number };
  /** Image reference or id, already present in the image store. */
  readonly image: string;
  /** Replaces the image's Entrypoint (Kubernetes `command`). */
  readonly command?: readonly string[];
  /** Replaces the image's Cmd (Kubernetes `args`). */
  readonly args?: readonly string[];
  readonly workingDir?: string;
  readonly env?: readonly { readonly key: string; readonly value: string }[];
  readonly mounts?: readonly Mount[];
  readonly resources?: ContainerResources;
  readonly security?: ContainerSecurity;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly tty?: boolean;
  readonly stdin?: boolean;
  /** Log file path relative to the sandbox's log directory (default `<name>/<attempt>.log`). */
  readonly logPath?: string;
  /** Join the PID namespace of this running container of the same sandbox (an ephemeral container's target). */
  readonly targetContainerId?: string;
}

/** CRI container states. */
export const ContainerState = { Created: 'CONTAINER_CREATED', Running: 'CONTAINER_RUNNING', Exited: 'CONTAINER_EXITED', Unknown: 'CONTAINER_UNKNOWN' } as const;
export type ContainerState = (typeof ContainerState)[keyof typeof ContainerState];

/** A container's status, as CRI's ContainerStatus. Times are ms since the epoch (0 = not yet). */
export interface ContainerStatus {
  readonly id: string;
  readonly sandboxId: string;
  readonly metadata: { readonly name: string; readonly attempt: number };
  readonly image: string;
  /** The image id (config digest). */
  readonly imageRef: string;
  readonly state: ContainerState;
  readonly createdAt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly exitCode: number;
  /** `OOMKilled`, `Error`, `Completed` once exited; '' otherwise. */
  readonly reason: string;
  readonly message: string;
  /** The container's init pid on the host (0 when not running). */
  readonly pid: number;
  readonly logPath: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** Filters for listContainers. */
export interface ContainerFilter {
  readonly sandboxId?: string;
  readonly state?: ContainerState;
}

/** Which sandboxes listPodSandboxes returns (all when empty). */
export interface SandboxFilter {
  /** Only the sandboxes of this pod. */
  readonly uid?: string;
}

/** The result of execSync. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** What a streaming exec needs. */
export interface ExecOptions {
  readonly cmd: readonly string[];
  readonly tty?: boolean;
  readonly stdin?: boolean;
  readonly env?: readonly { readonly key: string; readonly value: string }[];
}

/** A running exec or attach session. With a tty, stderr is null (merged into stdout). */
export interface StreamSession {
  readonly stdin: Writable | null;
  readonly stdout: Readable;
  readonly stderr: Readable | null;
  /** Resolves with the exit code once the process ends. */
  readonly exit: Promise<number>;
  /** Changes the terminal size (tty sessions only). */
  resize(cols: number, rows: number): Promise<void>;
  /** Ends the session (kills the exec process; detaches an attach). */
  close(): void;
}

/** The CRI-shaped runtime the kubelet's pod workers use. */
export interface ContainerRuntime {
  /** Creates the pod's namespaces (CNI network, pause process) and returns the sandbox id. */
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Kills the sandbox's containers and pause process and releases its network; idempotent. */
  stopPodSandbox(sandboxId: string): Promise<void>;
  /** Removes a sandbox and all its containers; idempotent. */
  removePodSandbox(sandboxId: string): Promise<void>;
  podSandboxStatus(sandboxId: string): Promise<PodSandbox>;
  listPodSandboxes(filter?: SandboxFilter): Promise<PodSandbox[]>;
  /** Creates (but does not start) a container in a sandbox; returns its id. */
  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** Sends the stop signal, then SIGKILL after timeoutSeconds; resolves once it has exited. */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  /** Removes a container (killing it if needed); idempotent. */
  removeContainer(containerId: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]>;
  containerStatus(containerId: string): Promise<ContainerStatus>;
  /** Changes a running container's cgroup limits. */
  updateContainerResources(containerId: string, resources: ContainerResources): Promise<void>;
  /** Runs a command in a container and collects its output (probes); kills it after timeoutSeconds. */
  execSync(containerId: string, cmd: readonly string[], timeoutSeconds?: number): Promise<ExecResult>;
  /** Runs a command in a container with streams (kubectl exec). */
  exec(containerId: string, options: ExecOptions): Promise<StreamSession>;
  /** Attaches to a container's main process output (and stdin when it was created with stdin). */
  attach(containerId: string): Promise<StreamSession>;
  /** Calls `listener` with the id of each container or sandbox whose exit gets recorded (like a PLEG event); returns a stop function. */
  watchExits?(listener: (id: string) => void): () => void;
}

/** A sandbox or container id that is not known. */
export class NotFoundError extends Error {
  readonly id: string;
  constructor(kind: 'sandbox' | 'container', id: string) {
    super(`${kind} "${id}" not found`);
    this.name = 'NotFoundError';
    this.id = id;
  }
}
