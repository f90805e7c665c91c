/**
 * A disposable node runtime for tests: a temp root dir, an image store, a CNI bridge network
 * in the host netns with a unique bridge, subnet, netns prefix and cgroup root, and a
 * `dispose()` that removes everything it could have created (sandboxes, runc containers,
 * conmon processes, overlay and shm mounts, netns, the bridge, cgroups, the temp dir), even
 * after a failed test, and restores the host's ip_forward (the bridge plugin turns it on).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageStore } from '../images/store.ts';
import { deleteNetns } from '../network/netns.ts';
import { PodNetwork } from '../network/pod-network.ts';
import { runCommand } from '../runtime/command.ts';
import { removeCgroup } from '../runtime/host.ts';
import { Runc } from '../runtime/runc.ts';
import { RuncRuntime } from '../runtime/runtime.ts';

/** A runtime and everything it runs on, for one test. */
export interface RuntimeFixture {
  readonly rootDir: string;
  readonly images: ImageStore;
  readonly network: PodNetwork;
  readonly runtime: RuncRuntime;
  readonly bridge: string;
  readonly podCidr: string;
  /** A second runtime instance on the same root (a "restarted kubelet"). */
  newRuntime(): RuncRuntime;
  dispose(): Promise<void>;
}

/** Creates a fixture; call dispose() in `finally`/`after`. */
export async function createRuntimeFixture(): Promise<RuntimeFixture> {
  const tag = randomBytes(3).toString('hex');
  const rootDir = await mkdtemp(join(tmpdir(), 'k8ts-rt-'));
  const images = new ImageStore(rootDir);
  const bridge = `k8tsb${tag}`;
  // 10.200-254.x.0/24: a random subnet so concurrent fixtures never share one.
  const podCidr = `10.${200 + (randomBytes(1)[0] % 55)}.${randomBytes(1)[0]}.0/24`;
  const netnsPrefix = `k8ts-t${tag}-`;
  const cgroupRoot = `k8ts-test-${tag}`;
  const network = new PodNetwork({ stateDir: join(rootDir, 'network'), podCidr, bridge, netnsPrefix });
  const make = (): RuncRuntime => new RuncRuntime({ rootDir, images, network, cgroupRoot });
  const runtime = make();
  const ipForward = await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8').catch(() => undefined);
  const natTablesBefore = await natTablesPresent();
  const hadPortmapChains = (await runCommand('iptables', ['-t', 'nat', '-S', 'CNI-HOSTPORT-DNAT'])).code === 0;
  const dispose = async (): Promise<void> => {
    for (const sandbox of await runtime.listPodSandboxes().catch(() => [])) {
      await runtime.removePodSandbox(sandbox.id).catch(() => undefined);
    }
    await forceCleanNode({ rootDir, netnsPrefix, bridge, cgroupRoot, ipForward, natTablesBefore, beforeRemovingRoot: hadPortmapChains ? undefined : removePortmapChains });
  };
  return { rootDir, images, network, runtime, bridge, podCidr, newRuntime: make, dispose };
}

/** Where a test node keeps its state, for forceCleanNode. */
export interface TestNodeLayout {
  readonly rootDir: string;
  readonly netnsPrefix: string;
  readonly bridge: string;
  readonly cgroupRoot: string;
  /** The host's ip_forward before the test (restored). */
  readonly ipForward?: string;
  /** Extra cleanup run after the bridge is gone. */
  readonly beforeRemovingRoot?: () => Promise<void>;
  /** The nat tables that existed before the test (natTablesPresent()); new ones left empty are removed. */
  readonly natTablesBefore?: ReadonlySet<string>;
}

const NAT_TABLES = ['ip nat', 'ip6 nat'] as const;

/**
 * Which of `ip nat` / `ip6 nat` exist now. CNI's bridge/portmap plugins program NAT through
 * iptables-nft, which creates these tables and never deletes them, even once their chains are
 * empty; a test records them first so that it removes only what it caused.
 */
export async function natTablesPresent(): Promise<Set<string>> {
  const r = await runCommand('nft', ['list', 'tables']);
  return new Set(r.stdout.split('\n').map((l) => l.trim().replace(/^table /, '')).filter((t) => (NAT_TABLES as readonly string[]).includes(t)));
}

/** Deletes the nat tables that were not there before and hold no rules. */
async function removeEmptyNatTables(before: ReadonlySet<string>): Promise<void> {
  for (const table of NAT_TABLES) {
    if (before.has(table)) {
      continue;
    }
    const listed = await runCommand('nft', ['-j', 'list', 'table', ...table.split(' ')]);
    if (listed.code !== 0) {
      continue;
    }
    const objects = (JSON.parse(listed.stdout) as { nftables?: Record<string, unknown>[] }).nftables ?? [];
    if (!objects.some((o) => 'rule' in o)) {
      await runCommand('nft', ['delete', 'table', ...table.split(' ')]);
    }
  }
}

/**
 * Removes whatever a test node may have left after a crash, by force: runc containers, conmon
 * shims, mounts under the root dir, its netns, its bridge, its cgroups and the root dir; and
 * restores ip_forward (the bridge plugin turns it on).
 */
export async function forceCleanNode(n: TestNodeLayout): Promise<void> {
  const runc = new Runc(join(n.rootDir, 'runtime', 'runc'));
  for (const c of await runc.list().catch(() => [])) {
    await runc.kill(c.id, 'KILL', true).catch(() => undefined);
    await runc.delete(c.id, true).catch(() => undefined);
  }
  for (const kind of ['sandboxes', 'containers']) {
    for (const id of await readdir(join(n.rootDir, 'runtime', kind)).catch(() => [] as string[])) {
      const pid = Number(await readFile(join(n.rootDir, 'runtime', kind, id, 'conmon.pid'), 'utf8').catch(() => '0'));
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(n.rootDir));
  for (const m of mounts.sort().reverse()) {
    await runCommand('umount', ['-l', m]);
  }
  for (const ns of await readdir('/run/netns').catch(() => [] as string[])) {
    if (ns.startsWith(n.netnsPrefix)) {
      await deleteNetns(ns).catch(() => undefined);
    }
  }
  await runCommand('ip', ['link', 'delete', n.bridge]);
  await n.beforeRemovingRoot?.();
  if (n.natTablesBefore !== undefined) {
    await removeEmptyNatTables(n.natTablesBefore);
  }
  if (n.ipForward !== undefined) {
    await writeFile('/proc/sys/net/ipv4/ip_forward', n.ipForward).catch(() => undefined);
  }
  await removeCgroup(`/${n.cgroupRoot}`);
  await rm(n.rootDir, { recursive: true, force: true });
}

/**
 * CNI DEL removes a pod's hostPort chain but leaves portmap's shared top-level chains and
 * their jumps (as upstream does); a test that caused them removes them when they are empty.
 */
export async function removePortmapChains(): Promise<void> {
  const dnat = await runCommand('iptables', ['-t', 'nat', '-S', 'CNI-HOSTPORT-DNAT']);
  if (dnat.code !== 0 || dnat.stdout.split('\n').some((l) => l.startsWith('-A '))) {
    return;
  }
  await runCommand('iptables', ['-t', 'nat', '-D', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT']);
  await runCommand('iptables', ['-t', 'nat', '-D', 'OUTPUT', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT']);
  await runCommand('iptables', ['-t', 'nat', '-D', 'POSTROUTING', '-m', 'comment', '--comment', 'CNI portfwd requiring masquerade', '-j', 'CNI-HOSTPORT-MASQ']);
  for (const chain of ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-MASQ', 'CNI-HOSTPORT-SETMARK']) {
    await runCommand('iptables', ['-t', 'nat', '-F', chain]);
    await runCommand('iptables', ['-t', 'nat', '-X', chain]);
  }
}
