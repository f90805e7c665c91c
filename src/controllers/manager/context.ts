/** ControllerContext: what the controller-manager hands every controller factory (client, shared informers, events, options). */
import type { ClientLogger, EventRecorder, RestClient, SharedInformerFactory } from '../../client/index.ts';

/** Settings from the controller-manager's flags that individual controllers read (upstream flag names in comments). */
export interface ControllerOptions {
  /** --cluster-cidr (default 10.244.0.0/16). */
  readonly clusterCidr: string;
  /** --node-cidr-mask-size (default 24). */
  readonly nodeCidrMaskSize: number;
  /** --allocate-node-cidrs (k8ts default true). */
  readonly allocateNodeCidrs: boolean;
  /** --root-ca-file: PEM bundle published as kube-root-ca.crt ('' = controller disabled). */
  readonly rootCaFile: string;
  /** --node-monitor-grace-period in ms (default 40 s). */
  readonly nodeMonitorGracePeriodMs: number;
  /** --node-monitor-period in ms (default 5 s). */
  readonly nodeMonitorPeriodMs: number;
  /** --terminated-pod-gc-threshold (default 12500). */
  readonly terminatedPodGcThreshold: number;
  /** --min-resync-period in ms (default 12 h). */
  readonly minResyncPeriodMs: number;
  /** Every parsed flag by its upstream name, for controllers that read one not listed above. */
  readonly flags: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;
}

/** Everything a controller gets from the manager; one shared informer per resource comes from `informers`. */
export interface ControllerContext {
  readonly client: RestClient;
  readonly informers: SharedInformerFactory;
  /** An event recorder with `component` as its source (e.g. `deployment-controller`); one per component per process. */
  readonly recorder: (component: string) => EventRecorder;
  readonly options: ControllerOptions;
  readonly logger: ClientLogger;
}

/** A running controller: `run` starts `workers` workers and resolves once `signal` aborts and they have stopped. */
export interface Controller {
  run(workers: number, signal: AbortSignal): Promise<void>;
}
