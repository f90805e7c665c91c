/**
 * Writes OCI runtime specs (config.json) for runc: the pause process that owns a pod's
 * namespaces, and app containers that join them by path. Defaults follow containerd's CRI
 * plugin: its default capability set, masked and read-only /proc paths, a private /dev,
 * read-only /sys and cgroup mounts, and /etc/hosts, /etc/hostname, /etc/resolv.conf and
 * /dev/shm taken from the sandbox.
 */

/** An OCI mount entry. */
export interface OciMount {
  readonly destination: string;
  readonly type: string;
  readonly source: string;
  readonly options?: readonly string[];
}

/** An OCI namespace entry (`path` joins an existing one). */
export interface OciNamespace {
  readonly type: 'pid' | 'network' | 'ipc' | 'uts' | 'mount' | 'cgroup';
  readonly path?: string;
}

/** The subset of an OCI runtime spec we generate. */
export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[] };
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: OciMount[];
  linux: {
    cgroupsPath: string;
    resources: {
      devices: { allow: boolean; access: string; type?: string; major?: number; minor?: number }[];
      memory?: { limit?: number; swap?: number };
      cpu?: { shares?: number; quota?: number; period?: number };
      pids?: { limit: number };
    };
    namespaces: OciNamespace[];
    maskedPaths: string[];
    readonlyPaths: string[];
    seccomp?: unknown;
  };
  annotations?: Record<string, string>;
}

/** containerd's default capabilities (pkg/cri/opts/spec_linux.go). */
export const defaultCapabilities: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const maskedPaths = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
const readonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The base mounts every container gets. */
function baseMounts(readonlySys: boolean, shmPath: string | undefined): OciMount[] {
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', readonlySys ? 'ro' : 'rw'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
  ];
  mounts.push(shmPath !== undefined
    ? { destination: '/dev/shm', type: 'bind', source: shmPath, options: ['rbind', 'rprivate', 'rw'] }
    : { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] });
  return mounts;
}

/** What the pause container needs. */
export interface PauseSpecInput {
  readonly rootfs: string;
  readonly catatonitPath: string;
  readonly hostname: string;
  readonly cgroupsPath: string;
  /** The pod's netns path; undefined = host network. */
  readonly netnsPath?: string;
}

/** The pause container: `catatonit -P` owning new PID, IPC and UTS namespaces. */
export function pauseSpec(input: PauseSpecInput): OciSpec {
  const namespaces: OciNamespace[] = [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }];
  if (input.netnsPath !== undefined) {
    namespaces.push({ type: 'network', path: input.netnsPath });
  }
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false, user: { uid: 65535, gid: 65535 }, args: ['/catatonit', '-P'], env: ['PATH=/'], cwd: '/',
      capabilities: { bounding: [], effective: [], permitted: [] }, noNewPrivileges: true,
    },
    root: { path: input.rootfs, readonly: true },
    hostname: input.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/catatonit', type: 'bind', source: input.catatonitPath, options: ['rbind', 'rprivate', 'ro'] },
    ],
    linux: {
      cgroupsPath: input.cgroupsPath,
      resources: { devices: [{ allow: false, access: 'rwm' }], cpu: { shares: 2 } },
      namespaces, maskedPaths, readonlyPaths,
    },
  };
}

/** What an app container needs (already resolved against the image). */
export interface ContainerSpecInput {
  readonly rootfs: string;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids?: readonly number[];
  readonly cgroupsPath: string;
  readonly tty: boolean;
  readonly readonlyRootfs: boolean;
  readonly privileged: boolean;
  readonly noNewPrivileges: boolean;
  readonly capAdd: readonly string[];
  readonly capDrop: readonly string[];
  /** Every capability this host can grant (for privileged containers and `ALL`). */
  readonly hostCapabilities: readonly string[];
  readonly memoryLimitBytes?: number;
  readonly cpuShares?: number;
  readonly cpuQuota?: number;
  readonly cpuPeriod?: number;
  readonly pidsLimit?: number;
  /** The pause process pid whose ipc/uts (and pid, when shared) namespaces the container joins. */
  readonly pausePid: number;
  readonly sharePid: boolean;
  /** A PID namespace to join instead (`/proc/<pid>/ns/pid` of a target container). */
  readonly pidNamespacePath?: string;
  readonly netnsPath?: string;
  readonly shmPath?: string;
  /** Files from the sandbox: `/etc/hosts` etc. → host path; skipped when a user mount covers them. */
  readonly etcFiles: Readonly<Record<string, string>>;
  readonly mounts: readonly { containerPath: string; hostPath: string; readonly?: boolean }[];
  readonly seccomp?: unknown;
  readonly annotations?: Record<string, string>;
}

function normalizeCap(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** The capability set after Kubernetes-style add/drop (drop ALL, then add, is the common idiom). */
export function effectiveCapabilities(input: Pick<ContainerSpecInput, 'privileged' | 'capAdd' | 'capDrop' | 'hostCapabilities'>): string[] {
  if (input.privileged) {
    return [...input.hostCapabilities];
  }
  const drop = input.capDrop.map(normalizeCap);
  const add = input.capAdd.map(normalizeCap);
  let caps = drop.includes('CAP_ALL') ? [] : defaultCapabilities.filter((c) => !drop.includes(c));
  if (add.includes('CAP_ALL')) {
    caps = [...input.hostCapabilities];
  } else {
    for (const c of add) {
      if (!caps.includes(c)) {
        caps.push(c);
      }
    }
  }
  // A capability the host itself lacks (CAP_SYS_RESOURCE here) would make runc fail.
  return caps.filter((c) => input.hostCapabilities.includes(c));
}

/** An app container joining its sandbox's namespaces by path. */
export function containerSpec(input: ContainerSpecInput): OciSpec {
  const caps = effectiveCapabilities(input);
  const namespaces: OciNamespace[] = [
    { type: 'mount' },
    input.pidNamespacePath !== undefined ? { type: 'pid', path: input.pidNamespacePath } : input.sharePid ? { type: 'pid', path: `/proc/${input.pausePid}/ns/pid` } : { type: 'pid' },
    { type: 'ipc', path: `/proc/${input.pausePid}/ns/ipc` },
    // No `hostname` here: runc would rename the shared UTS namespace for the whole pod.
    { type: 'uts', path: `/proc/${input.pausePid}/ns/uts` },
  ];
  if (input.netnsPath !== undefined) {
    namespaces.push({ type: 'network', path: input.netnsPath });
  }
  const mounts = baseMounts(!input.privileged, input.shmPath);
  const userPaths = new Set(input.mounts.map((m) => m.containerPath));
  for (const [dest, source] of Object.entries(input.etcFiles)) {
    if (!userPaths.has(dest)) {
      mounts.push({ destination: dest, type: 'bind', source, options: ['rbind', 'rprivate', 'rw'] });
    }
  }
  for (const m of input.mounts) {
    mounts.push({ destination: m.containerPath, type: 'bind', source: m.hostPath, options: ['rbind', 'rprivate', m.readonly === true ? 'ro' : 'rw'] });
  }
  const resources: OciSpec['linux']['resources'] = { devices: [{ allow: input.privileged, access: 'rwm' }] };
  if (input.memoryLimitBytes !== undefined && input.memoryLimitBytes > 0) {
    resources.memory = { limit: input.memoryLimitBytes };
  }
  if (input.cpuShares !== undefined || input.cpuQuota !== undefined) {
    resources.cpu = { shares: input.cpuShares, quota: input.cpuQuota, period: input.cpuQuota !== undefined ? (input.cpuPeriod ?? 100_000) : undefined };
  }
  if (input.pidsLimit !== undefined && input.pidsLimit > 0) {
    resources.pids = { limit: input.pidsLimit };
  }
  const spec: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: input.tty,
      user: { uid: input.uid, gid: input.gid, additionalGids: input.additionalGids !== undefined ? [...input.additionalGids] : undefined },
      args: [...input.args], env: [...input.env], cwd: input.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: input.noNewPrivileges,
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs },
    mounts,
    linux: {
      cgroupsPath: input.cgroupsPath, resources, namespaces,
      maskedPaths: input.privileged ? [] : maskedPaths,
      readonlyPaths: input.privileged ? [] : readonlyPaths,
    },
    annotations: input.annotations,
  };
  if (input.seccomp !== undefined && !input.privileged) {
    spec.linux.seccomp = input.seccomp;
  }
  return spec;
}

/**
 * A default seccomp profile. Upstream's RuntimeDefault is an allow-list; this is the short
 * deny-list of its most dangerous exclusions (kernel modules, reboot, kexec, swap, clock,
 * keyrings, bpf, ptrace-like process inspection), returning EPERM.
 */
export function defaultSeccompProfile(): unknown {
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [{
      names: [
        'acct', 'add_key', 'bpf', 'clock_adjtime', 'clock_settime', 'create_module', 'delete_module', 'finit_module',
        'get_kernel_syms', 'get_mempolicy', 'init_module', 'ioperm', 'iopl', 'kcmp', 'kexec_file_load', 'kexec_load',
        'keyctl', 'lookup_dcookie', 'mbind', 'mount', 'move_pages', 'nfsservctl', 'open_by_handle_at', 'perf_event_open',
        'personality', 'pivot_root', 'process_vm_readv', 'process_vm_writev', 'ptrace', 'query_module', 'quotactl',
        'reboot', 'request_key', 'set_mempolicy', 'setns', 'settimeofday', 'stime', 'swapoff', 'swapon', 'sysfs',
        '_sysctl', 'umount', 'umount2', 'unshare', 'uselib', 'userfaultfd', 'ustat', 'vm86', 'vm86old',
      ],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 1,
    }],
  };
}
