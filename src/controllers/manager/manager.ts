/**
 * The controller-manager process body: one REST client, leader election on a Lease, and — while
 * leading — one shared informer factory feeding every selected controller, each run with its
 * worker count. Losing the lease ends the process (as upstream, which exits so a fresh
 * process starts from clean caches).
 */
import { componentRegistry, startComponentServer } from './secure-serving.ts';
import { EventRecorder, LeaderElector, RestClient, SharedInformerFactory, defaultIdentity, stderrLogger } from '../../client/index.ts';
import type { ClientLogger } from '../../client/index.ts';
import type { ControllerContext } from './context.ts';
import type { ManagerOptions } from './options.ts';
import { selectControllers } from './options.ts';
import { concurrencyFlags, controllerRegistry, disabledByDefault } from './registry.ts';

/** Starts every selected controller and resolves when `signal` aborts and they have all stopped. */
export async function runControllers(client: RestClient, opts: ManagerOptions, signal: AbortSignal, logger: ClientLogger = stderrLogger): Promise<void> {
  const names = selectControllers(opts.controllers, Object.keys(controllerRegistry), disabledByDefault);
  // Upstream: resync between MinResyncPeriod and twice that.
  const informers = new SharedInformerFactory(client, { defaultResyncMs: opts.controller.minResyncPeriodMs * (1 + Math.random()), logger });
  const recorders = new Map<string, EventRecorder>();
  const ctx: ControllerContext = {
    client,
    informers,
    options: opts.controller,
    logger,
    recorder: (component) => {
      let r = recorders.get(component);
      if (r === undefined) {
        r = new EventRecorder({ client, component, logger });
        recorders.set(component, r);
      }
      return r;
    },
  };
  const built = names.map((name) => ({ name, controller: controllerRegistry[name](ctx) }));
  informers.start();
  const running = built.map(async ({ name, controller }) => {
    const flag = concurrencyFlags[name];
    const workers = flag === undefined ? 1 : Number(opts.controller.flags[flag] ?? 1);
    logger('info', `controller-manager: starting ${name} (${workers} workers)`);
    try {
      await controller.run(Math.max(1, workers), signal);
    } catch (e) {
      logger('error', `controller-manager: ${name} stopped with an error: ${(e as Error).message}`);
    }
  });
  await Promise.all(running);
  await informers.shutdown();
  await Promise.all([...recorders.values()].map((r) => r.shutdown()));
}

/** Runs the controller-manager until `signal` aborts (0) or the lease is lost (1). */
export async function runControllerManager(opts: ManagerOptions, signal: AbortSignal, logger: ClientLogger = stderrLogger): Promise<number> {
  const client = await RestClient.fromKubeconfig(opts.kubeconfig, { component: 'kube-controller-manager', qps: opts.qps, burst: opts.burst, logger });
  let electionClient: RestClient | undefined;
  const { registry, setLeader } = componentRegistry();
  const server = await startComponentServer('kube-controller-manager', opts.serving, new Map([['ping', () => undefined]]), registry, logger);
  try {
    if (!opts.leaderElect) {
      await runControllers(client, opts, signal, logger);
      return 0;
    }
    let lostLease = false;
    let controllersDone: Promise<void> = Promise.resolve();
    // Renewals get their own connection and rate limiter (upstream uses a separate client for
    // leader election too): a burst of controller requests must never starve the lease.
    electionClient = await RestClient.fromKubeconfig(opts.kubeconfig, { component: 'kube-controller-manager', qps: 0, logger });
    const elector = new LeaderElector({
      client: electionClient,
      namespace: opts.leaseNamespace,
      name: opts.leaseName,
      identity: defaultIdentity(),
      leaseDurationMs: opts.leaseDurationMs,
      renewDeadlineMs: opts.renewDeadlineMs,
      retryPeriodMs: opts.retryPeriodMs,
      logger,
      callbacks: {
        onStartedLeading: (leading) => {
          setLeader(opts.leaseName, true);
          controllersDone = runControllers(client, opts, leading, logger);
          return controllersDone;
        },
        onStoppedLeading: () => {
          setLeader(opts.leaseName, false);
          lostLease = !signal.aborted;
        },
        onNewLeader: (id) => logger('info', `controller-manager: new leader elected: ${id}`),
      },
    });
    await elector.run(signal);
    await controllersDone;
    if (lostLease) {
      logger('error', 'controller-manager: leaderelection lost');
      return 1;
    }
    return 0;
  } finally {
    await server?.close();
    client.close();
    electionClient?.close();
  }
}
