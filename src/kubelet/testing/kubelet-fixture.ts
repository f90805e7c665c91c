/**
 * A real `k8ts kubelet` process for end-to-end tests: its own node name, root dir, CNI bridge,
 * netns prefix, cgroup root and pod CIDR (so tests can run beside each other), restartable,
 * with `leftovers(uid)` listing anything a deleted pod left behind, and `cleanup()` removing
 * whatever a failed test left (containers, shims, mounts, netns, bridge, cgroups).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlreadyExists } from '../../api/errors.ts';
import { RestClient } from '../../client/index.ts';
import { loadKubeconfig, resolveContext } from '../../kubeconfig/index.ts';
import { runCommand } from '../runtime/command.ts';
import { Runc } from '../runtime/runc.ts';
import type { BuiltImage } from './build-image.ts';
import { buildBusyboxImage } from './build-image.ts';
import { freePort } from './helpers.ts';
import { forceCleanNode, natTablesPresent, removePortmapChains } from './runtime-fixture.ts';

/** Whether this machine can run real pods (root plus the runtime's Debian packages). */
export const canRunPods = process.getuid?.() === 0 && ['/usr/sbin/runc', '/usr/bin/conmon', '/usr/bin/catatonit', '/usr/lib/cni/bridge'].every((p) => existsSync(p));

export { eventually, freePort, httpGet } from './helpers.ts';

/** What the kubelet needs from the test. */
export interface KubeletFixtureOptions {
  readonly kubeconfig: string;
  /** Image archives imported at start (`--image-archive`). */
  readonly imageArchives: readonly string[];
  /** Short name part for the node, e.g. `e2e`. */
  readonly name: string;
  readonly extraArgs?: readonly string[];
  /** The kubelet's own kubeconfig for its node name (e.g. a `system:node:<name>` identity); default: `kubeconfig`. */
  readonly kubeconfigFor?: (nodeName: string) => Promise<string>;
}

/** A running test kubelet. */
export interface KubeletFixture {
  readonly nodeName: string;
  readonly rootDir: string;
  readonly bridge: string;
  readonly cgroupRoot: string;
  /** The last 20 kB of the kubelet's output. */
  log(): string;
  /** The kubelet's process id (0 when not running). */
  pid(): number;
  /** SIGKILLs the kubelet and waits for it to be gone. */
  kill(): Promise<void>;
  /** Starts the kubelet again with the same flags. */
  start(): void;
  /** What a deleted pod left behind (runc containers, netns, mounts, cgroups, veths, pod dir). */
  leftovers(uid: string): Promise<string[]>;
  /** Kills the kubelet and removes everything it may have left. */
  cleanup(): Promise<void>;
}

const kubeletEntry = new URL('../../cmd/kubelet.ts', import.meta.url).href;

/** Starts a kubelet for tests. */
export async function startKubeletFixture(opts: KubeletFixtureOptions): Promise<KubeletFixture> {
  const tag = randomBytes(3).toString('hex');
  const nodeName = `kubelet-${opts.name}-${tag}`;
  const bridge = `k8tsk${tag}`;
  const netnsPrefix = `k8ts-k${tag}-`;
  const cgroupRoot = `k8ts-kt-${tag}`;
  const podCidr = `10.${200 + (randomBytes(1)[0] % 55)}.${randomBytes(1)[0]}.0/24`;
  const ipForward = await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8').catch(() => undefined);
  const natTablesBefore = await natTablesPresent();
  const hadPortmapChains = (await runCommand('iptables', ['-t', 'nat', '-S', 'CNI-HOSTPORT-DNAT'])).code === 0;
  const rootDir = await mkdtemp(join(tmpdir(), 'k8ts-kubelet-'));
  const kubeconfig = opts.kubeconfigFor === undefined ? opts.kubeconfig : await opts.kubeconfigFor(nodeName);
  const args = ['--kubeconfig', kubeconfig, '--root-dir', rootDir, '--hostname-override', nodeName, '--pod-cidr', podCidr,
    '--port', String(await freePort()), ...opts.imageArchives.flatMap((a) => ['--image-archive', a]),
    '--cni-bridge', bridge, '--netns-prefix', netnsPrefix, '--cgroup-root', cgroupRoot, ...(opts.extraArgs ?? [])];
  let child: ChildProcess | undefined;
  let output = '';
  const start = (): void => {
    const script = `const m = await import(${JSON.stringify(kubeletEntry)}); process.exitCode = await m.main(process.argv.slice(1));`;
    const c = spawn(process.execPath, ['--input-type=module', '-e', script, '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer): void => {
      output = (output + d.toString('utf8')).slice(-20_000);
    };
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    child = c;
  };
  const kill = async (): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) {
      return;
    }
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGKILL');
    await gone;
  };
  const runc = new Runc(join(rootDir, 'runtime', 'runc'));
  const leftovers = async (uid: string): Promise<string[]> => {
    const found: string[] = [];
    found.push(...(await runc.list().catch(() => [])).map((c) => `runc container ${c.id}`));
    found.push(...(await readdir('/run/netns').catch(() => [] as string[])).filter((n) => n.startsWith(netnsPrefix)).map((n) => `netns ${n}`));
    const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
    found.push(...mountinfo.split('\n').map((l) => l.split(' ')[4]).filter((m) => m !== undefined && m.startsWith(rootDir) && (m.includes(uid) || m.includes('/runtime/') || m.includes('/mounts/'))).map((m) => `mount ${m}`));
    for (const ctrl of ['memory', 'pids', 'cpu']) {
      if (existsSync(`/sys/fs/cgroup/${ctrl}/${cgroupRoot}/pod${uid}`)) {
        found.push(`cgroup ${ctrl}/${cgroupRoot}/pod${uid}`);
      }
    }
    const veths = await runCommand('ip', ['-o', 'link', 'show', 'master', bridge]);
    found.push(...veths.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => `veth ${l.split(':')[1]?.trim() ?? l}`));
    found.push(...(await readdir(join(rootDir, 'pods')).catch(() => [] as string[])).filter((d) => d === uid).map((d) => `pod dir ${d}`));
    return found;
  };
  const cleanup = async (): Promise<void> => {
    await kill();
    await forceCleanNode({ rootDir, netnsPrefix, bridge, cgroupRoot, ipForward, natTablesBefore, beforeRemovingRoot: hadPortmapChains ? undefined : removePortmapChains });
  };
  start();
  return { nodeName, rootDir, bridge, cgroupRoot, log: () => output, pid: () => (child?.exitCode === null ? child.pid ?? 0 : 0), kill, start, leftovers, cleanup };
}

/** An apiserver as the e2e tests start it (test/util/apiserver.ts): what a testbed needs of it. */
export interface TestbedApiServer {
  readonly kubeconfig: string;
  stop(): Promise<void>;
}

/** The busybox image, an apiserver and a kubelet: what most kubelet e2e files start with. */
export interface KubeletTestbed<A extends TestbedApiServer> {
  readonly api: A;
  readonly kubelet: KubeletFixture;
  readonly image: BuiltImage;
  /** Stops and removes everything (prints the kubelet log when KUBELET_E2E_LOG is set). */
  stop(): Promise<void>;
}

/**
 * What the controller-manager would create and pods' kube-api-access volumes need: the
 * `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap in namespace default.
 */
async function seedNamespaceDefaults(kubeconfig: string): Promise<void> {
  const client = await RestClient.fromKubeconfig(kubeconfig, { component: 'kubelet-testbed' });
  try {
    const caPem = (await resolveContext(await loadKubeconfig(kubeconfig), undefined, kubeconfig)).caPem ?? '';
    const ignoreExists = (e: unknown): void => {
      if (!isAlreadyExists(e)) {
        throw e;
      }
    };
    await client.create({ group: '', version: 'v1', resource: 'serviceaccounts', namespace: 'default' }, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }).catch(ignoreExists);
    await client.create({ group: '', version: 'v1', resource: 'configmaps', namespace: 'default' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': caPem } }).catch(ignoreExists);
  } finally {
    client.close();
  }
}

/**
 * Starts a testbed; `startApi` is the test's apiserver starter (kept out of src/ so src never
 * imports test/). `nodeKubeconfig` gives the kubelet its own identity instead of the admin's.
 */
export async function startKubeletTestbed<A extends TestbedApiServer>(name: string, imageRef: string, startApi: () => Promise<A>, extraArchives: readonly string[] = [], extraArgs: readonly string[] = [], nodeKubeconfig?: (api: A, nodeName: string) => Promise<string>): Promise<KubeletTestbed<A>> {
  const image = await buildBusyboxImage({ ref: imageRef });
  let api: A | undefined;
  try {
    api = await startApi();
    await seedNamespaceDefaults(api.kubeconfig);
    const started = api;
    const kubeconfigFor = nodeKubeconfig === undefined ? undefined : (node: string): Promise<string> => nodeKubeconfig(started, node);
    const kubelet = await startKubeletFixture({ kubeconfig: api.kubeconfig, imageArchives: [image.archivePath, ...extraArchives], name, extraArgs, kubeconfigFor });
    return {
      api: started, kubelet, image,
      stop: async () => {
        if (process.env.KUBELET_E2E_LOG !== undefined) {
          process.stderr.write(kubelet.log());
        }
        await kubelet.cleanup();
        await started.stop();
        await rm(image.dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await api?.stop();
    await rm(image.dir, { recursive: true, force: true });
    throw e;
  }
}
