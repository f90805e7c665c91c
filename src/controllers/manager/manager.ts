/**
 * The controller-manager process body: leader election on a Lease, and — while leading — one
 * shared informer factory feeding every selected controller, each with its own REST client (own
 * QPS budget, as upstream) and run with its worker count; /healthz and /metrics on --secure-port. Losing the lease ends the process (as upstream, which exits so a fresh
 * process starts from clean caches).
 */
import { componentRegistry, startComponentServer } from './secure-serving.ts';
import { EventRecorder, LeaderElector, RestClient, SharedInformerFactory, defaultIdentity, stderrLogger } from '../../client/index.ts';
import type { ClientLogger } from '../../client/index.ts';
import type { Controller, ControllerContext } from './context.ts';
import type { ManagerOptions } from './options.ts';
import { selectControllers } from './options.ts';
import { concurrencyFlags, controllerRegistry, disabledByDefault, serviceAccountNames } from './registry.ts';
import { ServiceAccountCredentials } from './sa-credentials.ts';

/** Starts every selected controller and resolves when `signal` aborts and they have all stopped. */
export async function runControllers(client: RestClient, opts: ManagerOptions, signal: AbortSignal, logger: ClientLogger = stderrLogger): Promise<void> {
  const names = selectControllers(opts.controllers, Object.keys(controllerRegistry), disabledByDefault);
  // Upstream: resync between MinResyncPeriod and twice that.
  const informers = new SharedInformerFactory(client, { defaultResyncMs: opts.controller.minResyncPeriodMs * (1 + Math.random()), logger });
  const recorders = new Map<string, EventRecorder>();
  // Each controller gets its own client, so its own --kube-api-qps/--kube-api-burst budget, as
  // upstream's ClientBuilder gives each controller its own rate limiter: one shared 20 QPS budget
  // held a 1,000-replica Deployment (1,000 creates + their events) to ~10 pods/s.
  const clients: RestClient[] = [];
  // Events go out through one client of their own, as upstream's shared event broadcaster does,
  // so a controller's event burst does not spend its object-write budget.
  const eventClient = opts.kubeconfig === '' ? client : await RestClient.fromKubeconfig(opts.kubeconfig, { component: 'kube-controller-manager/events', qps: opts.qps, burst: opts.burst, logger });
  if (eventClient !== client) {
    clients.push(eventClient);
  }
  // The shared informers keep the manager's own identity (upstream lists and watches through
  // its root client too); with --use-service-account-credentials each controller writes as its SA.
  const credentials = opts.useServiceAccountCredentials ? new ServiceAccountCredentials(client, logger) : undefined;
  const contextFor = async (name: string): Promise<ControllerContext> => {
    const clientOpts = { component: `kube-controller-manager/${name}`, qps: opts.qps, burst: opts.burst, logger };
    const own = credentials !== undefined
      ? await credentials.clientFor(serviceAccountNames[name] ?? name, clientOpts)
      : opts.kubeconfig === '' ? client : await RestClient.fromKubeconfig(opts.kubeconfig, clientOpts);
    if (own !== client) {
      clients.push(own);
    }
    return {
      client: own,
      informers,
      options: opts.controller,
      logger,
      recorder: (component) => {
        let r = recorders.get(component);
        if (r === undefined) {
          r = new EventRecorder({ client: eventClient, component, logger });
          recorders.set(component, r);
        }
        return r;
      },
    };
  };
  const built: { name: string; controller: Controller }[] = [];
  for (const name of names) {
    built.push({ name, controller: controllerRegistry[name](await contextFor(name)) });
  }
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
  for (const c of clients) {
    c.close();
  }
  credentials?.close();
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
