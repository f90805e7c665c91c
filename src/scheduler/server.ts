/** runScheduler: the scheduler process body — client, optional leader election on a Lease, run until stopped. */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LeaderElector } from '../client/leaderelection.ts';
import { stderrLogger } from '../client/log.ts';
import type { ClientLogger } from '../client/log.ts';
import { RestClient } from '../client/rest.ts';
import type { ProfileConfig } from './framework/runtime.ts';
import { Scheduler } from './scheduler.ts';
import { schedulerMetrics } from './metrics.ts';
import { componentRegistry, startComponentServer } from '../controllers/manager/secure-serving.ts';
import type { SecureServingOptions } from '../controllers/manager/secure-serving.ts';

/** Everything `k8ts scheduler` needs after flag parsing. */
export interface RunSchedulerOptions {
  readonly kubeconfig: string;
  readonly qps: number;
  readonly burst: number;
  readonly leaderElect: boolean;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly profiles: readonly ProfileConfig[];
  readonly percentageOfNodesToScore?: number;
  readonly podInitialBackoffMs?: number;
  readonly podMaxBackoffMs?: number;
  readonly logger?: ClientLogger;
  /** /healthz and /metrics over HTTPS (upstream's 10259); absent or port 0: not served. */
  readonly serving?: SecureServingOptions;
}

/**
 * Runs until `signal` aborts (resolves 0) or, with leader election, until leadership is lost
 * (resolves 1, as upstream exits with "leaderelection lost").
 */
export async function runScheduler(opts: RunSchedulerOptions, signal: AbortSignal): Promise<number> {
  const logger = opts.logger ?? stderrLogger;
  // HTTP/2 as client-go: bindings, events and watches multiplexed on one connection (less CPU per
  // request on both sides than a request per HTTP/1.1 connection; bench/client-transport.ts).
  const client = await RestClient.fromKubeconfig(opts.kubeconfig, { component: 'scheduler', qps: opts.qps, burst: opts.burst, logger, transport: 'h2' });
  const { registry, setLeader } = componentRegistry();
  const metrics = schedulerMetrics(registry);
  const server = opts.serving === undefined ? undefined : await startComponentServer('kube-scheduler', opts.serving, new Map([['ping', () => undefined]]), registry, logger);
  const make = (): Scheduler => {
    const s = new Scheduler({
      client,
      profiles: opts.profiles,
      percentageOfNodesToScore: opts.percentageOfNodesToScore,
      podInitialBackoffMs: opts.podInitialBackoffMs,
      podMaxBackoffMs: opts.podMaxBackoffMs,
      logger,
      onAttempt: (result, profile, ms) => metrics.attempt(result, profile, ms),
    });
    metrics.watch(s.queue);
    return s;
  };
  try {
    if (!opts.leaderElect) {
      const s = make();
      await s.start(signal);
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      await s.stop();
      return 0;
    }
    const identity = `${hostname()}_${randomUUID()}`;
    let lost = false;
    const elector = new LeaderElector({
      client,
      namespace: opts.leaseNamespace,
      name: opts.leaseName,
      identity,
      leaseDurationMs: opts.leaseDurationMs,
      renewDeadlineMs: opts.renewDeadlineMs,
      retryPeriodMs: opts.retryPeriodMs,
      logger,
      callbacks: {
        onStartedLeading: async (leading) => {
          logger('info', `scheduler: started leading as ${identity}`);
          setLeader(opts.leaseName, true);
          const s = make();
          await s.start(leading);
          await new Promise<void>((resolve) => (leading.aborted ? resolve() : leading.addEventListener('abort', () => resolve(), { once: true })));
          await s.stop();
        },
        onStoppedLeading: () => {
          setLeader(opts.leaseName, false);
          if (!signal.aborted) {
            lost = true;
          }
        },
        onNewLeader: (id) => {
          if (id !== identity) {
            logger('info', `scheduler: new leader elected: ${id}`);
          }
        },
      },
    });
    // run() returns when leadership is lost or on abort; an unelected candidate keeps campaigning inside it.
    await elector.run(signal);
    if (lost) {
      logger('error', 'scheduler: leaderelection lost');
      return 1;
    }
    return 0;
  } finally {
    await server?.close();
    client.close();
  }
}
