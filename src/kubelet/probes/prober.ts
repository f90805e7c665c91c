/**
 * Liveness, readiness and startup probes (exec, httpGet, tcpSocket) with upstream's defaults
 * (period 10 s, timeout 1 s, success 1, failure 3) and rules: readiness starts as failed,
 * liveness as passed; liveness and readiness wait for the startup probe; a liveness (or
 * startup) failure past the threshold asks the pod worker to kill the container, which is then
 * restarted by the pod's restartPolicy.
 */
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { ContainerRuntime } from '../runtime/types.ts';
import type { ContainerSpec, Probe } from '../pods/types.ts';

type ProbeKind = 'liveness' | 'readiness' | 'startup';

interface ProbeWorker {
  readonly containerId: string;
  readonly kind: ProbeKind;
  result: boolean;
  successes: number;
  failures: number;
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
}

/** Called when a probe result flips (re-sync the pod) or a liveness/startup probe says kill. */
export interface ProberCallbacks {
  readonly changed: (podUid: string) => void;
  readonly kill: (podUid: string, containerId: string, message: string) => void;
  /** A probe failed (the Unhealthy event), e.g. `Liveness probe failed: <output>`. */
  readonly unhealthy?: (podUid: string, containerId: string, message: string) => void;
}

/** Resolves a probe port (number, or a named container port). */
export function resolvePort(port: number | string, container: ContainerSpec): number | undefined {
  if (typeof port === 'number') {
    return port;
  }
  if (/^\d+$/.test(port)) {
    return Number(port);
  }
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** Resolves with undefined on success, or upstream's failure text. */
function httpProbe(url: URL, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const fn = url.protocol === 'https:' ? httpsRequest : request;
    const req = fn(url, { timeout: timeoutMs, rejectUnauthorized: false, headers: { 'User-Agent': 'kube-probe/1.35' } }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? undefined : `HTTP probe failed with statuscode: ${code}`);
    });
    req.on('error', (e) => resolve(`Get "${url.href}": ${e.message}`));
    req.on('timeout', () => {
      req.destroy();
      resolve(`Get "${url.href}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
    });
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (failure: string | undefined): void => {
      s.destroy();
      resolve(failure);
    };
    s.setTimeout(timeoutMs, () => done(`dial tcp ${host}:${port}: i/o timeout`));
    s.once('connect', () => done(undefined));
    s.once('error', (e: NodeJS.ErrnoException) => done(`dial tcp ${host}:${port}: connect: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`));
  });
}

/** Runs a probe once; resolves with undefined on success, or the failure's output/message. */
export async function runProbe(runtime: ContainerRuntime, probe: Probe, container: ContainerSpec, containerId: string, podIp: string): Promise<string | undefined> {
  const timeoutSeconds = probe.timeoutSeconds ?? 1;
  if (probe.exec !== undefined) {
    const r = await runtime.execSync(containerId, probe.exec.command ?? [], timeoutSeconds).catch((e: unknown) => (e as Error).message);
    if (typeof r === 'string') {
      return r;
    }
    return r.exitCode === 0 ? undefined : r.stdout + r.stderr;
  }
  if (probe.httpGet !== undefined) {
    const port = resolvePort(probe.httpGet.port, container);
    if (port === undefined) {
      return `invalid port: ${String(probe.httpGet.port)}`;
    }
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
    const path = probe.httpGet.path ?? '/';
    return httpProbe(new URL(`${scheme}://${probe.httpGet.host ?? podIp}:${port}${path.startsWith('/') ? path : `/${path}`}`), timeoutSeconds * 1000);
  }
  if (probe.tcpSocket !== undefined) {
    const port = resolvePort(probe.tcpSocket.port, container);
    return port === undefined ? `invalid port: ${String(probe.tcpSocket.port)}` : tcpProbe(probe.tcpSocket.host ?? podIp, port, timeoutSeconds * 1000);
  }
  return undefined;
}

const KIND_TITLE = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' } as const;

/** Probe workers for every running container that has probes. */
export class Prober {
  private readonly runtime: ContainerRuntime;
  private readonly callbacks: ProberCallbacks;
  private readonly workers = new Map<string, ProbeWorker>();

  constructor(runtime: ContainerRuntime, callbacks: ProberCallbacks) {
    this.runtime = runtime;
    this.callbacks = callbacks;
  }

  private key(containerId: string, kind: ProbeKind): string {
    return `${containerId}/${kind}`;
  }

  /** Readiness of a container (true without a readiness probe). */
  ready(containerId: string, container: ContainerSpec): boolean {
    if (container.readinessProbe === undefined) {
      return this.started(containerId, container);
    }
    return this.workers.get(this.key(containerId, 'readiness'))?.result ?? false;
  }

  /** Whether the startup probe has passed (true without one). */
  started(containerId: string, container: ContainerSpec): boolean {
    if (container.startupProbe === undefined) {
      return true;
    }
    return this.workers.get(this.key(containerId, 'startup'))?.result ?? false;
  }

  /** Makes sure the running containers of a pod are probed and forgets the others. */
  sync(podUid: string, podIp: string, running: readonly { readonly id: string; readonly spec: ContainerSpec }[]): void {
    const wanted = new Set<string>();
    for (const { id, spec } of running) {
      for (const kind of ['liveness', 'readiness', 'startup'] as const) {
        const probe = kind === 'liveness' ? spec.livenessProbe : kind === 'readiness' ? spec.readinessProbe : spec.startupProbe;
        if (probe === undefined) {
          continue;
        }
        const key = this.key(id, kind);
        wanted.add(key);
        if (!this.workers.has(key)) {
          this.startWorker(podUid, podIp, id, spec, kind, probe);
        }
      }
    }
    for (const [key, w] of this.workers) {
      if (running.some((r) => key.startsWith(`${r.id}/`)) && !wanted.has(key)) {
        this.stopWorker(key, w);
      }
    }
  }

  /** Stops probing a container that is gone. */
  forget(containerIds: readonly string[]): void {
    for (const [key, w] of this.workers) {
      if (containerIds.includes(w.containerId)) {
        this.stopWorker(key, w);
      }
    }
  }

  /** Container ids being probed. */
  probed(): Set<string> {
    return new Set([...this.workers.values()].map((w) => w.containerId));
  }

  stopAll(): void {
    for (const [key, w] of this.workers) {
      this.stopWorker(key, w);
    }
  }

  private stopWorker(key: string, w: ProbeWorker): void {
    w.stopped = true;
    if (w.timer !== undefined) {
      clearTimeout(w.timer);
    }
    this.workers.delete(key);
  }

  private startWorker(podUid: string, podIp: string, containerId: string, spec: ContainerSpec, kind: ProbeKind, probe: Probe): void {
    const w: ProbeWorker = { containerId, kind, result: kind === 'liveness', successes: 0, failures: 0, timer: undefined, stopped: false };
    this.workers.set(this.key(containerId, kind), w);
    const period = Math.max(1, probe.periodSeconds ?? 10) * 1000;
    const successThreshold = kind === 'readiness' ? probe.successThreshold ?? 1 : 1;
    const failureThreshold = probe.failureThreshold ?? 3;
    const tick = async (): Promise<void> => {
      if (w.stopped) {
        return;
      }
      // Liveness and readiness wait until the startup probe has passed.
      if (kind !== 'startup' && !this.started(containerId, spec)) {
        w.timer = setTimeout(() => void tick(), period);
        return;
      }
      if (kind === 'startup' && w.result) {
        return;
      }
      const failure = await runProbe(this.runtime, probe, spec, containerId, podIp);
      if (w.stopped) {
        return;
      }
      if (failure === undefined) {
        w.failures = 0;
        w.successes++;
        if (!w.result && w.successes >= successThreshold) {
          w.result = true;
          this.callbacks.changed(podUid);
        }
      } else {
        w.successes = 0;
        w.failures++;
        this.callbacks.unhealthy?.(podUid, containerId, `${KIND_TITLE[kind]} probe failed: ${failure}`);
        if (w.failures >= failureThreshold) {
          if (kind === 'readiness') {
            if (w.result) {
              w.result = false;
              this.callbacks.changed(podUid);
            }
          } else {
            w.stopped = true;
            this.callbacks.kill(podUid, containerId, `Container ${spec.name} failed ${kind} probe, will be restarted`);
            return;
          }
        }
      }
      w.timer = setTimeout(() => void tick(), period);
    };
    w.timer = setTimeout(() => void tick(), (probe.initialDelaySeconds ?? 0) * 1000);
  }
}
