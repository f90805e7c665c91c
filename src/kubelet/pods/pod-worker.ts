/**
 * Pod workers: one level-triggered sync per pod, serialised per pod and re-run on every pod
 * update and every second. A sync makes the runtime match the spec (sandbox, image, init
 * containers in order, containers by restartPolicy with CrashLoopBackOff 10 s doubling to
 * 5 min), then writes the status computed from what the runtime reports. All state comes from
 * the runtime (containers are labelled with their pod and attempt), so a restarted kubelet
 * adopts running pods. A deleted pod is stopped with its grace period, its sandbox and
 * directories removed, and then its API object deleted with grace 0.
 */
import { join } from 'node:path';
import { isNotFound } from '../../api/errors.ts';
import { EventType, PatchType } from '../../client/index.ts';
import type { EventRecorder, RestClient } from '../../client/index.ts';
import type { ImageStore } from '../images/store.ts';
import { pullImage } from '../images/pull.ts';
import type { ContainerRuntime, ContainerStatus as RuntimeContainer, DnsConfig, PodSandbox } from '../runtime/types.ts';
import { ContainerState, SandboxState } from '../runtime/types.ts';
import { Prober } from '../probes/prober.ts';
import { computePodStatus } from '../status/pod-status.ts';
import type { ContainerView, Waiting } from '../status/pod-status.ts';
import { TokenManager } from '../volumes/tokens.ts';
import { cleanupPodDir, containerMounts, setUpVolumes } from '../volumes/volumes.ts';
import { apiClaimReader } from '../volumes/claims.ts';
import type { ClaimObjectReader } from '../volumes/claims.ts';
import { containerConfig } from './container-config.ts';
import { goDuration, PodEvents, podDesc } from './events.ts';
import { runHook } from './lifecycle.ts';
import type { DataSource } from './container-config.ts';
import type { ContainerSpec, Pod } from './types.ts';

const podsRef = { group: '', version: 'v1', resource: 'pods' } as const;

/** What the pod workers need. */
export interface PodWorkerDeps {
  readonly client: RestClient;
  readonly runtime: ContainerRuntime;
  readonly images: ImageStore;
  readonly nodeName: string;
  readonly hostIp: string;
  readonly rootDir: string;
  readonly clusterDns: readonly string[];
  readonly clusterDomain: string;
  readonly log: (message: string) => void;
  /** Records the pod events (source kubelet, host = node name); none without it. */
  readonly events?: EventRecorder;
}

interface PodState {
  pod: Pod;
  busy: boolean;
  again: boolean;
  /** The API object is gone (force-deleted): only cleanup remains. */
  removed: boolean;
  lastStatus: string;
  startTime: string;
  /** Per container: earliest time the next start may happen, and the backoff step. */
  readonly backoff: Map<string, { until: number; stepMs: number; announced?: boolean }>;
  readonly waiting: Map<string, Waiting>;
  /** Container ids whose restart failed to start (counted as crashes). */
  finished: boolean;
  /** The volumes as last set up (name → host path), when, and for which volume-relevant pod fields. */
  volumes?: Map<string, string>;
  volumesAt: number;
  volumesKey: string;
  /** performance.now() when the kubelet first saw the pod (for K8TS_TRACE). */
  readonly seenAt: number;
}

/**
 * How often volumes are refreshed while nothing about them changed: configMap/secret updates
 * and token renewals propagate within this (upstream: the sync period, about a minute). Every
 * sync used to re-read each ConfigMap/Secret from the API, once a second per pod.
 */
const VOLUME_REFRESH_MS = 10_000;

const MAX_BACKOFF_MS = 300_000;
/** Upstream's floor for the SIGTERM→SIGKILL window left after a preStop hook. */
const MIN_GRACE_SECONDS = 2;
const INITIAL_BACKOFF_MS = 10_000;
/** A bound on postStart hooks (upstream has none) so a hung hook cannot stall its pod worker forever. */
const POST_START_TIMEOUT_SECONDS = 300;
const nowIso = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** With K8TS_TRACE set: a pod's startup steps on stderr, in ms since the kubelet first saw the pod. */
function trace(state: PodState, step: string): void {
  if (process.env.K8TS_TRACE !== undefined) {
    process.stderr.write(`trace pod ${state.pod.metadata.name ?? ''} +${(performance.now() - state.seenAt).toFixed(0)} ms ${step}\n`);
  }
}

function newestFirst(list: readonly RuntimeContainer[], name: string): RuntimeContainer[] {
  return list.filter((c) => c.metadata.name === name).sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt);
}

/** DNS for the sandbox from dnsPolicy, as the kubelet builds resolv.conf. */
export function dnsFor(pod: Pod, clusterDns: readonly string[], clusterDomain: string): DnsConfig | undefined {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  const ns = pod.metadata.namespace ?? 'default';
  const cluster: DnsConfig = { servers: clusterDns, searches: [`${ns}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain], options: ['ndots:5'] };
  const extra = pod.spec.dnsConfig;
  let base: DnsConfig | undefined;
  if (policy === 'None') {
    base = { servers: [], searches: [], options: [] };
  } else if (policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && pod.spec.hostNetwork !== true)) {
    base = cluster;
  } else if (extra === undefined) {
    return undefined;
  }
  if (extra === undefined) {
    return base;
  }
  const opts = new Map((base?.options ?? []).map((o) => [o.split(':')[0], o]));
  for (const o of extra.options ?? []) {
    opts.set(o.name, o.value === undefined ? o.name : `${o.name}:${o.value}`);
  }
  return {
    servers: [...(base?.servers ?? []), ...(extra.nameservers ?? [])],
    searches: [...(base?.searches ?? []), ...(extra.searches ?? [])],
    options: [...opts.values()],
  };
}

/** Runs every pod bound to this node. */
export class PodWorkers {
  private readonly deps: PodWorkerDeps;
  private readonly pods = new Map<string, PodState>();
  private timer: NodeJS.Timeout | undefined;
  /** Set by stopAndDrain: no sync starts any more. */
  private draining = false;
  private readonly inFlight = new Set<Promise<void>>();
  private stopWatchingExits: (() => void) | undefined;
  private readonly data: DataSource;
  private readonly prober: Prober;
  private readonly events: PodEvents;
  private readonly tokens: TokenManager;
  /** Reads the PVC and PV behind persistentVolumeClaim volumes (the Node authorizer allows its own pods' ones). */
  private readonly claims: ClaimObjectReader;

  constructor(deps: PodWorkerDeps) {
    this.deps = deps;
    this.tokens = new TokenManager(deps.client);
    this.claims = apiClaimReader(deps.client);
    this.events = new PodEvents(deps.events);
    const containerOf = async (uid: string, containerId: string): Promise<{ pod: Pod; name: string } | undefined> => {
      const state = this.pods.get(uid);
      const c = await deps.runtime.containerStatus(containerId).catch(() => undefined);
      return state === undefined || c === undefined ? undefined : { pod: state.pod, name: c.metadata.name };
    };
    this.prober = new Prober(deps.runtime, {
      changed: (uid) => this.schedule(uid),
      kill: (uid, containerId, message) => {
        void (async () => {
          const found = await containerOf(uid, containerId);
          deps.log(`pod ${found?.pod.metadata.namespace ?? ''}/${found?.pod.metadata.name ?? uid}: ${message}`);
          if (found !== undefined) {
            await this.killContainer(found.pod, containerId, found.name, found.pod.spec.terminationGracePeriodSeconds ?? 30, message);
          }
          this.schedule(uid);
        })();
      },
      unhealthy: (uid, containerId, message) => {
        void containerOf(uid, containerId).then((found) => {
          if (found !== undefined) {
            this.events.container(found.pod, found.name, EventType.Warning, 'Unhealthy', message);
          }
        });
      },
    });
    this.data = async (kind, namespace, name) => {
      try {
        const obj = await deps.client.get({ group: '', version: 'v1', resource: kind, namespace, name }) as { data?: Record<string, string>; binaryData?: Record<string, string> };
        if (kind === 'secrets') {
          return Object.fromEntries(Object.entries(obj.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
        }
        return { ...obj.binaryData, ...obj.data };
      } catch (e) {
        if (isNotFound(e)) {
          return undefined;
        }
        throw e;
      }
    };
  }

  /** Starts the once-a-second resync of every pod, and syncs a pod as soon as one of its containers exits. */
  start(): void {
    this.timer = setInterval(() => {
      for (const uid of this.pods.keys()) {
        this.schedule(uid);
      }
    }, 1000);
    this.stopWatchingExits = this.deps.runtime.watchExits?.((id) => {
      void this.podOf(id).then((uid) => {
        if (uid !== undefined) {
          this.schedule(uid);
        }
      });
    });
  }

  stop(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
    }
    this.stopWatchingExits?.();
    this.prober.stopAll();
  }

  /** Stops, refuses every further sync, and resolves once the syncs in flight have finished. */
  async stopAndDrain(): Promise<void> {
    this.stop();
    this.draining = true;
    await Promise.all(this.inFlight);
  }

  /** The pod uid a container or sandbox id belongs to, if the runtime still knows it. */
  private async podOf(id: string): Promise<string | undefined> {
    const { runtime } = this.deps;
    const sandboxId = await runtime.containerStatus(id).then((c) => c.sandboxId, () => id);
    return runtime.podSandboxStatus(sandboxId).then((sb) => sb.metadata.uid, () => undefined);
  }

  /** A pod was added or changed in the API. */
  update(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const state = this.pods.get(uid);
    if (state === undefined) {
      const startTime = (pod.status?.startTime as string | undefined) ?? nowIso();
      this.pods.set(uid, { pod, busy: false, again: false, removed: false, lastStatus: '', startTime, backoff: new Map(), waiting: new Map(), finished: false, volumesAt: 0, volumesKey: '', seenAt: performance.now() });
    } else {
      state.pod = pod;
    }
    this.schedule(uid);
  }

  /** The pod's API object is gone: stop it (no grace left to honour) and clean up. */
  remove(uid: string): void {
    const state = this.pods.get(uid);
    if (state !== undefined) {
      state.removed = true;
      this.schedule(uid);
    }
  }

  /** The pods the workers run (for the kubelet API's /pods). */
  list(): Pod[] {
    return [...this.pods.values()].map((s) => s.pod);
  }

  /** Pod uids currently known. */
  known(): Set<string> {
    return new Set(this.pods.keys());
  }

  private schedule(uid: string): void {
    const state = this.pods.get(uid);
    if (state === undefined || this.draining) {
      return;
    }
    if (state.busy) {
      state.again = true;
      return;
    }
    state.busy = true;
    const run = (async () => {
      try {
        do {
          state.again = false;
          await this.sync(uid, state).catch((e: unknown) => this.deps.log(`sync pod ${state.pod.metadata.namespace}/${state.pod.metadata.name}: ${(e as Error).message}`));
        } while (state.again && this.pods.get(uid) === state && !this.draining);
      } finally {
        state.busy = false;
      }
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private podDir(uid: string): string {
    return join(this.deps.rootDir, 'pods', uid);
  }

  private logDir(pod: Pod): string {
    return join(this.deps.rootDir, 'logs', `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`);
  }

  private async sandboxesOf(uid: string): Promise<PodSandbox[]> {
    return (await this.deps.runtime.listPodSandboxes({ uid })).sort((a, b) => b.createdAt - a.createdAt);
  }

  /**
   * Stops one container as upstream's killContainer: the Killing event, the preStop hook within
   * the grace period, then SIGTERM and SIGKILL after what is left of it (at least 2 s).
   */
  private async killContainer(pod: Pod | undefined, containerId: string, name: string, graceSeconds: number, message?: string): Promise<void> {
    const { runtime } = this.deps;
    let grace = Math.max(graceSeconds, 0);
    if (pod !== undefined) {
      this.events.container(pod, name, EventType.Normal, 'Killing', message ?? `Stopping container ${name}`);
      const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === name);
      const preStop = spec?.lifecycle?.preStop;
      if (spec !== undefined && preStop !== undefined && grace > 0) {
        const started = Date.now();
        const sandbox = (await this.sandboxesOf(pod.metadata.uid ?? ''))[0];
        const failure = await runHook(preStop, { runtime, pod, container: spec, containerId, podIp: sandbox?.ip ?? '', timeoutSeconds: grace });
        if (failure !== undefined) {
          this.events.container(pod, name, EventType.Warning, 'FailedPreStopHook', failure);
        }
        grace = Math.max(grace - Math.floor((Date.now() - started) / 1000), MIN_GRACE_SECONDS);
      }
    }
    await runtime.stopContainer(containerId, grace).catch((e: unknown) => this.deps.log(`stop container ${containerId}: ${(e as Error).message}`));
  }

  /** Stops a pod: its containers with the grace period (preStop hooks first), then its sandboxes; removes everything when `remove`. */
  async killPod(uid: string, graceSeconds: number, remove: boolean, logDir?: string, pod?: Pod): Promise<void> {
    const { runtime } = this.deps;
    for (const sb of await this.sandboxesOf(uid)) {
      const containers = await runtime.listContainers({ sandboxId: sb.id });
      this.prober.forget(containers.map((c) => c.id));
      const running = containers.filter((c) => c.state === ContainerState.Running);
      await Promise.all(running.map((c) => this.killContainer(pod, c.id, c.metadata.name, graceSeconds)));
      await runtime.stopPodSandbox(sb.id);
      if (remove) {
        await runtime.removePodSandbox(sb.id);
      }
    }
    if (remove) {
      await cleanupPodDir(this.podDir(uid));
      if (logDir !== undefined) {
        await cleanupPodDir(logDir);
      }
    }
  }

  private async sync(uid: string, state: PodState): Promise<void> {
    const { pod } = state;
    if (state.removed || pod.metadata.deletionTimestamp !== undefined) {
      const grace = state.removed ? 0 : pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      await this.killPod(uid, grace, true, this.logDir(pod), state.removed ? undefined : pod);
      if (!state.removed) {
        await this.deps.client.delete({ ...podsRef, namespace: pod.metadata.namespace, name: pod.metadata.name }, { gracePeriodSeconds: 0, preconditions: { uid } }).catch((e: unknown) => {
          if (!isNotFound(e)) {
            throw e;
          }
        });
      }
      this.pods.delete(uid);
      this.tokens.forget(uid);
      return;
    }
    const phase = pod.status?.phase as string | undefined;
    if (state.finished || phase === 'Succeeded' || phase === 'Failed') {
      // A terminal pod never runs again; its containers stay for logs until it is deleted.
      if (!state.finished) {
        await this.killPod(uid, pod.spec.terminationGracePeriodSeconds ?? 30, false, undefined, pod);
        state.finished = true;
      }
      return;
    }
    await this.runPod(uid, state);
  }

  private async ensureImage(c: ContainerSpec, state: PodState): Promise<string | undefined> {
    const { images } = this.deps;
    const policy = c.imagePullPolicy ?? (/:latest$|^[^:@]*$/.test(c.image.slice(c.image.lastIndexOf('/') + 1)) ? 'Always' : 'IfNotPresent');
    const pod = state.pod;
    const present = await images.resolve(c.image);
    if (present !== undefined && policy !== 'Always') {
      this.events.container(pod, c.name, EventType.Normal, 'Pulled', `Container image "${c.image}" already present on machine`);
      return present.id;
    }
    if (policy === 'Never') {
      const message = `Container image "${c.image}" is not present with pull policy of Never`;
      state.waiting.set(c.name, { reason: 'ErrImageNeverPull', message });
      this.events.container(pod, c.name, EventType.Warning, 'ErrImageNeverPull', message);
      return undefined;
    }
    const key = `image:${c.name}`;
    const b = state.backoff.get(key);
    if (b !== undefined && Date.now() < b.until) {
      if (present !== undefined) {
        return present.id;
      }
      state.waiting.set(c.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` });
      if (b.announced !== true) {
        b.announced = true;
        this.events.container(pod, c.name, EventType.Normal, 'BackOff', `Back-off pulling image "${c.image}"`);
        this.events.container(pod, c.name, EventType.Warning, 'Failed', 'Error: ImagePullBackOff');
      }
      return undefined;
    }
    this.events.container(pod, c.name, EventType.Normal, 'Pulling', `Pulling image "${c.image}"`);
    const started = Date.now();
    try {
      const rec = await pullImage(images, c.image);
      state.backoff.delete(key);
      const took = goDuration(Date.now() - started);
      // Pulls are not queued here, so the time including waiting is the pull time.
      this.events.container(pod, c.name, EventType.Normal, 'Pulled', `Successfully pulled image "${c.image}" in ${took} (${took} including waiting). Image size: ${rec.size} bytes.`);
      return rec.id;
    } catch (e) {
      if (present !== undefined) {
        // Always with a local copy: an unreachable registry does not stop the pod.
        return present.id;
      }
      const step = Math.min((b?.stepMs ?? INITIAL_BACKOFF_MS / 2) * 2, MAX_BACKOFF_MS);
      state.backoff.set(key, { until: Date.now() + step, stepMs: step });
      state.waiting.set(c.name, { reason: 'ErrImagePull', message: `failed to pull image "${c.image}": ${(e as Error).message}` });
      this.events.container(pod, c.name, EventType.Warning, 'Failed', `Failed to pull image "${c.image}": ${(e as Error).message}`);
      this.events.container(pod, c.name, EventType.Warning, 'Failed', 'Error: ErrImagePull');
      return undefined;
    }
  }

  /** Creates and starts attempt `attempt` of a container; false when it is held back (waiting reason set). */
  private async startContainer(state: PodState, sandbox: PodSandbox, c: ContainerSpec, attempt: number, volumes: ReadonlyMap<string, string>, targetContainerId?: string): Promise<boolean> {
    const { runtime } = this.deps;
    const image = await this.ensureImage(c, state);
    if (image === undefined) {
      return false;
    }
    let id: string;
    try {
      const mounts = await containerMounts(c, volumes);
      const config = await containerConfig(state.pod, c, image, { podIp: sandbox.ip, hostIp: this.deps.hostIp, nodeName: this.deps.nodeName, data: this.data, mounts, attempt });
      id = await runtime.createContainer(sandbox.id, targetContainerId === undefined ? config : { ...config, targetContainerId });
      trace(state, `container ${c.name} created`);
    } catch (e) {
      state.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: (e as Error).message });
      this.events.container(state.pod, c.name, EventType.Warning, 'Failed', `Error: ${(e as Error).message}`);
      return false;
    }
    this.events.container(state.pod, c.name, EventType.Normal, 'Created', `Created container: ${c.name}`);
    try {
      await runtime.startContainer(id);
      trace(state, `container ${c.name} started`);
    } catch (e) {
      state.waiting.set(c.name, { reason: 'RunContainerError', message: (e as Error).message });
      this.events.container(state.pod, c.name, EventType.Warning, 'Failed', `Error: ${(e as Error).message}`);
      return false;
    }
    this.events.container(state.pod, c.name, EventType.Normal, 'Started', `Started container ${c.name}`);
    const postStart = c.lifecycle?.postStart;
    if (postStart !== undefined) {
      // As upstream: the hook runs before the next container starts; a failure kills this one.
      // Upstream bounds only preStop (by the grace period); postStart gets a generous safety bound,
      // not the grace period (1 s hooks timed out on a loaded node).
      const failure = await runHook(postStart, { runtime, pod: state.pod, container: c, containerId: id, podIp: sandbox.ip, timeoutSeconds: POST_START_TIMEOUT_SECONDS });
      if (failure !== undefined) {
        this.events.container(state.pod, c.name, EventType.Warning, 'FailedPostStartHook', failure);
        await this.killContainer(state.pod, id, c.name, state.pod.spec.terminationGracePeriodSeconds ?? 30, 'FailedPostStartHook');
      }
    }
    // Keep the newest two attempts: the previous one serves `kubectl logs --previous`.
    for (const old of newestFirst(await runtime.listContainers({ sandboxId: sandbox.id }), c.name).slice(2)) {
      await runtime.removeContainer(old.id).catch(() => undefined);
    }
    return true;
  }

  /** Whether an exited container is restarted now, later (backoff, with the waiting reason set) or never. */
  private restartDecision(state: PodState, c: ContainerSpec, last: RuntimeContainer, policy: string): 'now' | 'later' | 'never' {
    if (policy === 'Never' || (policy === 'OnFailure' && last.exitCode === 0)) {
      return 'never';
    }
    const b = state.backoff.get(c.name);
    const now = Date.now();
    if (b !== undefined && last.finishedAt < b.until && now < b.until) {
      const pod = state.pod;
      state.waiting.set(c.name, { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(b.stepMs / 1000)}s restarting failed container=${c.name} pod=${podDesc(pod)}` });
      if (b.announced !== true) {
        // Once per back-off window; the recorder counts repeats like upstream's aggregation.
        b.announced = true;
        this.events.container(pod, c.name, EventType.Warning, 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podDesc(pod)}`);
      }
      return 'later';
    }
    // As the kubelet's backoff: the first restart is immediate, each later one waits twice as long (10 s … 5 min);
    // a container that ran 10 minutes without crashing starts over.
    const step = b === undefined || now - b.until > 2 * MAX_BACKOFF_MS ? INITIAL_BACKOFF_MS : Math.min(b.stepMs * 2, MAX_BACKOFF_MS);
    state.backoff.set(c.name, { until: now + (b === undefined ? INITIAL_BACKOFF_MS : step), stepMs: b === undefined ? INITIAL_BACKOFF_MS : step });
    return 'now';
  }

  /** Sets up (or refreshes) the pod's volumes when they were never set up, changed, failed or are due. */
  private async podVolumes(uid: string, state: PodState, podIp: string): Promise<{ ok: true; v: Map<string, string> } | { ok: false; message: string }> {
    const pod = state.pod;
    const key = JSON.stringify([pod.spec.volumes, pod.metadata.labels, pod.metadata.annotations, podIp]);
    if (state.volumes !== undefined && key === state.volumesKey && Date.now() - state.volumesAt < VOLUME_REFRESH_MS) {
      return { ok: true, v: state.volumes };
    }
    try {
      const v = await setUpVolumes(pod, {
        podDir: this.podDir(uid), data: this.data, podIp, hostIp: this.deps.hostIp, nodeName: this.deps.nodeName,
        token: (audience, expirationSeconds) => this.tokens.token(pod, audience, expirationSeconds),
        claims: this.claims,
      });
      state.volumes = v;
      state.volumesAt = Date.now();
      state.volumesKey = key;
      return { ok: true, v };
    } catch (e) {
      state.volumes = undefined;
      return { ok: false, message: (e as Error).message };
    }
  }

  private async runPod(uid: string, state: PodState): Promise<void> {
    const { runtime } = this.deps;
    const pod = state.pod;
    state.waiting.clear();
    let sandboxes = await this.sandboxesOf(uid);
    let sandbox = sandboxes.find((s) => s.state === SandboxState.Ready);
    // Volumes that do not show the pod IP can be made while the sandbox starts (upstream's
    // kubelet also mounts volumes before it creates the sandbox).
    let early: Promise<unknown> | undefined;
    if (sandbox === undefined && !JSON.stringify(pod.spec.volumes ?? []).includes('"status.')) {
      early = this.podVolumes(uid, state, '');
    }
    if (sandbox === undefined) {
      // The sandbox died (or never existed): start over with a new one, as the kubelet does.
      for (const old of sandboxes) {
        await runtime.removePodSandbox(old.id);
      }
      const id = await runtime.runPodSandbox({
        metadata: { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default', uid, attempt: sandboxes.length },
        hostname: (pod.spec.hostname ?? pod.metadata.name ?? '').slice(0, 63),
        logDirectory: this.logDir(pod),
        hostNetwork: pod.spec.hostNetwork === true,
        shareProcessNamespace: pod.spec.shareProcessNamespace === true,
        dnsConfig: dnsFor(pod, this.deps.clusterDns, this.deps.clusterDomain),
        hostAliases: pod.spec.hostAliases,
        portMappings: pod.spec.containers.flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort !== undefined && p.hostPort > 0).map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort ?? 0, protocol: p.protocol, hostIp: p.hostIP }))),
        labels: { 'io.kubernetes.pod.name': pod.metadata.name ?? '', 'io.kubernetes.pod.namespace': pod.metadata.namespace ?? '', 'io.kubernetes.pod.uid': uid },
      });
      sandbox = await runtime.podSandboxStatus(id);
      sandboxes = [sandbox];
      trace(state, 'sandbox ready');
    }
    if (early !== undefined) {
      await early;
      // Those volumes never show the IP: what was set up without it stands.
      state.volumesKey = JSON.stringify([pod.spec.volumes, pod.metadata.labels, pod.metadata.annotations, sandbox.ip]);
    }
    const volumeResult = await this.podVolumes(uid, state, sandbox.ip);
    trace(state, 'volumes ready');
    const volumes = volumeResult.ok ? volumeResult.v : new Map<string, string>();
    let all = await runtime.listContainers({ sandboxId: sandbox.id });
    const policy = pod.spec.restartPolicy ?? 'Always';
    let initialized = true;
    let failed = false;
    if (volumeResult.ok) {
      for (const c of pod.spec.initContainers ?? []) {
        const [last] = newestFirst(all, c.name);
        if (last !== undefined && last.state === ContainerState.Exited && last.exitCode === 0) {
          continue;
        }
        initialized = false;
        if (last === undefined) {
          await this.startContainer(state, sandbox, c, 0, volumes);
        } else if (last.state === ContainerState.Exited) {
          // A failed init container restarts unless the pod's policy is Never (then the pod fails).
          const decision = this.restartDecision(state, c, last, policy === 'Never' ? 'Never' : 'OnFailure');
          if (decision === 'now') {
            await this.startContainer(state, sandbox, c, last.metadata.attempt + 1, volumes);
          } else if (decision === 'never') {
            failed = true;
          }
        }
        break;
      }
      if (initialized) {
        for (const c of pod.spec.containers) {
          const [last] = newestFirst(all, c.name);
          if (last === undefined) {
            await this.startContainer(state, sandbox, c, 0, volumes);
          } else if (last.state === ContainerState.Exited && this.restartDecision(state, c, last, policy) === 'now') {
            await this.startContainer(state, sandbox, c, last.metadata.attempt + 1, volumes);
          }
        }
      }
      // Ephemeral containers (kubectl debug) start even before initialization completes, as
      // upstream's kubelet starts them, and run once: an exited one is never restarted.
      for (const c of pod.spec.ephemeralContainers ?? []) {
        if (newestFirst(all, c.name).length === 0) {
          // `kubectl debug --target`: the PID namespace of that running container.
          const target = c.targetContainerName === undefined ? undefined : newestFirst(all, c.targetContainerName)[0];
          await this.startContainer(state, sandbox, c, 0, volumes, target?.state === ContainerState.Running ? target.id : undefined);
        }
      }
      all = await runtime.listContainers({ sandboxId: sandbox.id });
    } else {
      initialized = (pod.spec.initContainers ?? []).length === 0;
      for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
        state.waiting.set(c.name, { reason: 'ContainerCreating' });
      }
      this.deps.log(`pod ${pod.metadata.namespace}/${pod.metadata.name}: MountVolume.SetUp failed: ${volumeResult.message}`);
    }
    const podIp = pod.spec.hostNetwork === true ? this.deps.hostIp : sandbox.ip;
    const running = pod.spec.containers.map((c) => ({ spec: c, latest: newestFirst(all, c.name)[0] }))
      .filter((x) => x.latest?.state === ContainerState.Running).map((x) => ({ id: x.latest?.id ?? '', spec: x.spec }));
    this.prober.sync(uid, podIp, running);
    this.prober.forget(all.filter((c) => c.state !== ContainerState.Running).map((c) => c.id));
    const view = (c: ContainerSpec): ContainerView => {
      const attempts = newestFirst(all, c.name);
      const id = attempts[0]?.id ?? '';
      return { spec: c, attempts, waiting: state.waiting.get(c.name), probeReady: this.prober.ready(id, c), probeStarted: this.prober.started(id, c) };
    };
    const status = computePodStatus({
      pod, podIp: sandbox.ip, hostIp: this.deps.hostIp, sandboxReady: true,
      init: (pod.spec.initContainers ?? []).map(view), containers: pod.spec.containers.map(view),
      ephemeral: (pod.spec.ephemeralContainers ?? []).map(view),
      initialized, startTime: state.startTime, now: nowIso(),
    });
    if (failed) {
      status.phase = 'Failed';
    }
    await this.writeStatus(state, status);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') {
      await this.killPod(uid, pod.spec.terminationGracePeriodSeconds ?? 30, false, undefined, pod);
      state.finished = true;
    }
  }

  private async writeStatus(state: PodState, status: Record<string, unknown>): Promise<void> {
    const text = JSON.stringify(status);
    if (text === state.lastStatus) {
      return;
    }
    const pod = state.pod;
    await this.deps.client.patch({ ...podsRef, namespace: pod.metadata.namespace, name: pod.metadata.name, subresource: 'status' }, { metadata: { uid: pod.metadata.uid }, status }, PatchType.Merge);
    state.lastStatus = text;
    trace(state, `status written (phase ${String(status.phase)})`);
  }
}
