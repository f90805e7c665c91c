/**
 * `runKubelet`: one process per node. Registers the Node, keeps its Lease and status, watches
 * the pods bound to it (`spec.nodeName=<node>`) and runs them through the CRI-shaped runtime
 * (runc + conmon, CNI bridge on the pod CIDR). Sandboxes of pods the API no longer has are
 * removed once the pod informer has synced (and every 10 s after).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeepReadonly, KubeObject } from '../api/object.ts';
import { EventRecorder, isTombstone, RestClient, SharedInformerFactory } from '../client/index.ts';
import { importArchive } from './images/archive.ts';
import { importDroppedArchives } from './images/dropped.ts';
import { removeCgroup } from './runtime/host.ts';
import { ImageGarbageCollector, imagesOfPods } from './images/gc.ts';
import { ImageStore } from './images/store.ts';
import { PodNetwork } from './network/pod-network.ts';
import { loadKubeconfig, resolveContext } from '../kubeconfig/index.ts';
import { KUBELET_PORT, NodeAgent } from './node/node-agent.ts';
import { startKubeletServer } from './server/server.ts';
import { PodWorkers } from './pods/pod-worker.ts';
import type { Pod } from './pods/types.ts';
import { RuncRuntime } from './runtime/runtime.ts';
import { deleteOrphanedMirrorPod, isMirrorPod, StaticPods } from './static/static-pods.ts';

/** The kubelet's settings (from flags). */
export interface KubeletOptions {
  readonly kubeconfig: string;
  readonly nodeName: string;
  readonly rootDir: string;
  /** The node's pod CIDR; default: the Node's spec.podCIDR (waited for). */
  readonly podCidr?: string;
  readonly clusterDns: readonly string[];
  readonly clusterDomain: string;
  readonly systemReserved?: Readonly<Record<string, string>>;
  readonly maxPods?: number;
  /** Stop every pod when the kubelet exits (`k8ts up`); default: pods outlive the kubelet, as upstream. */
  readonly stopPodsOnExit?: boolean;
  /** Image archives (docker save / OCI layout tars) imported at start. */
  readonly imageArchives?: readonly string[];
  /** CNI bridge name (default k8ts0). */
  readonly cniBridge?: string;
  /** Prefix of netns names (default `k8ts-`). */
  readonly netnsPrefix?: string;
  /** cgroup parent of all pods (default `k8ts`). */
  readonly cgroupRoot?: string;
  /** Kubelet API port (default 10250), announced in the Node's daemonEndpoints. */
  readonly port?: number;
  /** CA that signs clients of the kubelet API (default: the kubeconfig's cluster CA). */
  readonly clientCaFile?: string;
  /** Image GC by disk threshold (on unless `--image-gc=false`, upstream's thresholds and min age); off when absent. */
  readonly imageGc?: { readonly highThresholdPercent: number; readonly lowThresholdPercent: number; readonly minAgeMs: number };
  /** Directory of static pod manifests (`--pod-manifest-path`); unset: no static pods. */
  readonly podManifestPath?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (m: string): void => {
  process.stderr.write(`kubelet: ${m}\n`);
};

async function podCidrOf(client: RestClient, nodeName: string, signal: AbortSignal): Promise<string | undefined> {
  while (!signal.aborted) {
    const node = await client.get({ group: '', version: 'v1', resource: 'nodes', name: nodeName }).catch(() => undefined);
    const cidr = (node?.spec as { podCIDR?: string } | undefined)?.podCIDR;
    if (cidr !== undefined && cidr !== '') {
      return cidr;
    }
    await sleep(1000);
  }
  return undefined;
}

/** Runs the kubelet until `signal` aborts; resolves with the exit code. */
export async function runKubelet(opts: KubeletOptions, signal: AbortSignal): Promise<number> {
  await mkdir(opts.rootDir, { recursive: true });
  const client = await RestClient.fromKubeconfig(opts.kubeconfig, { component: 'kubelet' });
  const clientCaPem = opts.clientCaFile !== undefined
    ? await readFile(opts.clientCaFile, 'utf8')
    : (await resolveContext(await loadKubeconfig(opts.kubeconfig), undefined, opts.kubeconfig)).caPem;
  if (clientCaPem === undefined) {
    throw new Error('no CA for kubelet API clients: pass --client-ca-file or use a kubeconfig with a cluster CA');
  }
  const agent = new NodeAgent({ client, nodeName: opts.nodeName, rootDir: opts.rootDir, systemReserved: opts.systemReserved, maxPods: opts.maxPods, kubeletPort: opts.port ?? KUBELET_PORT, log });
  for (;;) {
    try {
      await agent.register();
      break;
    } catch (e) {
      log(`unable to register node "${opts.nodeName}" with API server: ${(e as Error).message}`);
      if (signal.aborted) {
        return 1;
      }
      await sleep(2000);
    }
  }
  log(`successfully registered node ${opts.nodeName}`);
  agent.start();
  const podCidr = opts.podCidr ?? await podCidrOf(client, opts.nodeName, signal);
  if (podCidr === undefined) {
    agent.stop();
    return 0;
  }
  const images = new ImageStore(opts.rootDir);
  await images.init();
  for (const archive of opts.imageArchives ?? []) {
    const imported = await importArchive(images, archive);
    log(`imported ${imported.flatMap((i) => i.repoTags).join(', ')} from ${archive}`);
  }
  await importDroppedArchives(images, log);
  const network = new PodNetwork({ stateDir: join(opts.rootDir, 'network'), podCidr, bridge: opts.cniBridge, netnsPrefix: opts.netnsPrefix });
  const runtime = new RuncRuntime({ rootDir: opts.rootDir, images, network, cgroupRoot: opts.cgroupRoot });
  // Events carry source {component: kubelet, host: <node name>}, as upstream's kubelet.
  const events = new EventRecorder({ client, component: 'kubelet', host: opts.nodeName });
  // Static pods run from files; their status goes to mirror pods through a wrapped client.
  let staticPods: StaticPods | undefined;
  const workers: PodWorkers = new PodWorkers({ client: opts.podManifestPath === undefined ? client : (staticPods = new StaticPods({ dir: opts.podManifestPath, nodeName: opts.nodeName, client, workers: { update: (p) => workers.update(p), remove: (uid) => workers.remove(uid) }, log })).wrapClient(client), runtime, images, nodeName: opts.nodeName, hostIp: agent.hostIp, rootDir: opts.rootDir, clusterDns: opts.clusterDns, clusterDomain: opts.clusterDomain, log, events });
  const server = await startKubeletServer({
    runtime, rootDir: opts.rootDir, nodeName: opts.nodeName, hostIp: agent.hostIp, clientCaPem, port: opts.port ?? KUBELET_PORT, log,
    pods: () => workers.list(),
  });
  const factory = new SharedInformerFactory(client);
  const pods = factory.informerFor<KubeObject>({ group: '', version: 'v1', resource: 'pods', fieldSelector: `spec.nodeName=${opts.nodeName}` });
  // A mirror pod is never run: it stands for a static pod (or, without --pod-manifest-path, for
  // one that no longer exists, and is deleted).
  const podSeen = (p: DeepReadonly<KubeObject>): void => {
    if (!isMirrorPod(p)) {
      workers.update(structuredClone(p) as Pod);
    } else if (staticPods !== undefined) {
      staticPods.mirrorChanged(p, false);
    } else if (p.metadata.deletionTimestamp === undefined) {
      void deleteOrphanedMirrorPod(client, p, log).catch((e: unknown) => log(`orphaned mirror pod: ${(e as Error).message}`));
    }
  };
  pods.addEventHandler({
    onAdd: podSeen,
    onUpdate: (_o, p) => podSeen(p),
    onDelete: (p) => {
      const obj = isTombstone(p) ? p.obj : p;
      if (obj !== undefined && isMirrorPod(obj)) {
        staticPods?.mirrorChanged(obj, true);
      } else if (obj !== undefined && obj.metadata.uid !== undefined) {
        workers.remove(obj.metadata.uid);
      }
    },
  });
  factory.start();
  await pods.waitForSync(signal);
  workers.start();
  await staticPods?.start();
  const removeOrphans = async (): Promise<void> => {
    const known = workers.known();
    for (const p of pods.lister.list()) {
      known.add(p.metadata.uid ?? '');
    }
    const orphans = new Set((await runtime.listPodSandboxes()).map((s) => s.metadata.uid).filter((uid) => !known.has(uid)));
    for (const uid of orphans) {
      log(`removing orphaned pod ${uid}`);
      await workers.killPod(uid, 0, true);
    }
  };
  const orphanTimer = setInterval(() => {
    removeOrphans().catch((e: unknown) => log(`orphan cleanup: ${(e as Error).message}`));
  }, 10_000);
  await removeOrphans().catch((e: unknown) => log(`orphan cleanup: ${(e as Error).message}`));
  const imageGc = opts.imageGc === undefined ? undefined : new ImageGarbageCollector({ ...opts.imageGc, store: images, nodeName: opts.nodeName, events, log, imagesInUse: () => imagesOfPods(workers.list()) });
  imageGc?.start();
  await new Promise<void>((resolve) => {
    if (signal.aborted) {
      resolve();
    }
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  // Containers keep running across a kubelet restart: only our loops stop (unless told otherwise).
  clearInterval(orphanTimer);
  await imageGc?.stop();
  await staticPods?.stop();
  if (opts.stopPodsOnExit === true) {
    await workers.stopAndDrain();
    await stopAllPods(runtime, workers, network, log);
    await removeCgroup(opts.cgroupRoot ?? 'k8ts').catch((e: unknown) => log(`removing cgroup ${opts.cgroupRoot ?? 'k8ts'}: ${(e as Error).message}`));
  } else {
    workers.stop();
  }
  agent.stop();
  await events.shutdown();
  await server.close();
  await factory.shutdown();
  client.close();
  return 0;
}

/** Upper bound of each pod's grace period when the kubelet stops every pod on exit. */
const EXIT_GRACE_SECONDS = 10;

/**
 * Stops and removes every pod sandbox of this node (in parallel, each container with its grace
 * period capped at EXIT_GRACE_SECONDS), then the CNI bridge once no pod uses it. The API is not
 * told: the pods stay bound, and the next kubelet start runs them again, as after a reboot.
 */
async function stopAllPods(runtime: RuncRuntime, workers: PodWorkers, network: PodNetwork, log: (m: string) => void): Promise<void> {
  const pods = new Map(workers.list().map((p) => [p.metadata.uid ?? '', p]));
  const uids = new Set((await runtime.listPodSandboxes()).map((s) => s.metadata.uid));
  log(`stopping ${uids.size} pod(s) before exit`);
  await Promise.all([...uids].map(async (uid) => {
    const pod = pods.get(uid);
    const grace = Math.min(pod?.spec.terminationGracePeriodSeconds ?? 30, EXIT_GRACE_SECONDS);
    await workers.killPod(uid, grace, true, undefined, pod).catch((e: unknown) => log(`stopping pod ${uid}: ${(e as Error).message}`));
  }));
  await network.removeBridge().catch((e: unknown) => log(`removing the pod bridge: ${(e as Error).message}`));
}
