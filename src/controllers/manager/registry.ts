/**
 * The controller registration table: upstream controller name → factory. `--controllers`
 * selects from it; each controller lives in its own folder `src/controllers/<name>/` and
 * exports its factory. Names are upstream's (kube-controller-manager --controllers); the
 * manager also accepts the short aliases without the `-controller` suffix.
 */
import type { Controller, ControllerContext } from './context.ts';
import { garbageCollectorFactory } from '../garbagecollector/collector.ts';
import { namespaceControllerFactory } from '../namespace/controller.ts';
import { rootCaPublisherFactory } from '../rootcacertpublisher/controller.ts';
import { serviceAccountControllerFactory } from '../serviceaccount/controller.ts';
import { endpointsControllerFactory } from '../endpoint/controller.ts';
import { endpointSliceControllerFactory } from '../endpointslice/controller.ts';
import { nodeIpamControllerFactory } from '../nodeipam/controller.ts';
import { nodeLifecycleControllerFactory } from '../nodelifecycle/controller.ts';
import { taintEvictionControllerFactory } from '../nodelifecycle/tainteviction.ts';
import { podGcControllerFactory } from '../podgc/controller.ts';
import { deploymentControllerFactory } from '../deployment/controller.ts';
import { replicaSetControllerFactory } from '../replicaset/replicaset.ts';
import { replicationControllerFactory } from '../replicationcontroller/controller.ts';
import { daemonSetControllerFactory } from '../daemonset/controller.ts';
import { jobControllerFactory } from '../job/controller.ts';
import { disruptionControllerFactory } from '../disruption/controller.ts';
import { cronJobControllerFactory } from '../cronjob/controller.ts';
import { statefulSetControllerFactory } from '../statefulset/controller.ts';
import { ttlAfterFinishedFactory } from '../ttlafterfinished/controller.ts';
import { resourceQuotaControllerFactory } from '../resourcequota/controller.ts';
import { serviceLbControllerFactory } from '../servicelb/controller.ts';
import { csrSigningControllerFactory } from '../certificates/signer.ts';
import { podAutoscalerControllerFactory } from '../podautoscaler/controller.ts';
import { persistentVolumeBinderFactory } from '../persistentvolume/controller.ts';
import { localPathProvisionerFactory } from '../localpath/provisioner.ts';
import { pvcProtectionFactory, pvProtectionFactory } from '../storageprotection/controllers.ts';

export type { Controller, ControllerContext, ControllerOptions } from './context.ts';

/** Builds a controller (registering its informer handlers) from the shared context; `run` starts it. */
export type ControllerFactory = (ctx: ControllerContext) => Controller;

/** name → factory; an object literal, so a duplicate name is a compile error. Add one line per controller. */
export const controllerRegistry: Readonly<Record<string, ControllerFactory>> = {
  'garbage-collector-controller': garbageCollectorFactory,
  'namespace-controller': namespaceControllerFactory,
  'serviceaccount-controller': serviceAccountControllerFactory,
  'root-ca-certificate-publisher-controller': rootCaPublisherFactory,
  'deployment-controller': deploymentControllerFactory,
  'replicaset-controller': replicaSetControllerFactory,
  'replicationcontroller-controller': replicationControllerFactory,
  'endpoints-controller': endpointsControllerFactory,
  'endpointslice-controller': endpointSliceControllerFactory,
  'node-ipam-controller': nodeIpamControllerFactory,
  'node-lifecycle-controller': nodeLifecycleControllerFactory,
  'taint-eviction-controller': taintEvictionControllerFactory,
  'pod-garbage-collector-controller': podGcControllerFactory,
  // part A (controllers-a) entries are added here as they land.
  'daemonset-controller': daemonSetControllerFactory,
  'job-controller': jobControllerFactory,
  'disruption-controller': disruptionControllerFactory,
  'cronjob-controller': cronJobControllerFactory,
  'statefulset-controller': statefulSetControllerFactory,
  'ttl-after-finished-controller': ttlAfterFinishedFactory,
  'resourcequota-controller': resourceQuotaControllerFactory,
  'service-lb-controller': serviceLbControllerFactory,
  'certificatesigningrequest-signing-controller': csrSigningControllerFactory,
  'horizontal-pod-autoscaler-controller': podAutoscalerControllerFactory,
  'persistentvolume-binder-controller': persistentVolumeBinderFactory,
  'local-path-provisioner': localPathProvisionerFactory,
  'persistentvolumeclaim-protection-controller': pvcProtectionFactory,
  'persistentvolume-protection-controller': pvProtectionFactory,
};

/**
 * The ServiceAccount (in kube-system) each controller runs as with
 * `--use-service-account-credentials`: upstream's names, so the bootstrap
 * `system:controller:<name>` roles apply. Several controllers share `node-controller`, as
 * upstream's node-ipam and node-lifecycle do (k8ts's taint-eviction controller joins them).
 */
export const serviceAccountNames: Readonly<Record<string, string>> = {
  'garbage-collector-controller': 'generic-garbage-collector',
  'namespace-controller': 'namespace-controller',
  'serviceaccount-controller': 'service-account-controller',
  'root-ca-certificate-publisher-controller': 'root-ca-cert-publisher',
  'deployment-controller': 'deployment-controller',
  'replicaset-controller': 'replicaset-controller',
  'replicationcontroller-controller': 'replication-controller',
  'endpoints-controller': 'endpoint-controller',
  'endpointslice-controller': 'endpointslice-controller',
  'node-ipam-controller': 'node-controller',
  'node-lifecycle-controller': 'node-controller',
  'taint-eviction-controller': 'node-controller',
  'pod-garbage-collector-controller': 'pod-garbage-collector',
  'daemonset-controller': 'daemon-set-controller',
  'job-controller': 'job-controller',
  'disruption-controller': 'disruption-controller',
  'cronjob-controller': 'cronjob-controller',
  'statefulset-controller': 'statefulset-controller',
  'ttl-after-finished-controller': 'ttl-after-finished-controller',
  'resourcequota-controller': 'resourcequota-controller',
  'service-lb-controller': 'service-controller',
  'certificatesigningrequest-signing-controller': 'certificate-controller',
  'horizontal-pod-autoscaler-controller': 'horizontal-pod-autoscaler',
  'persistentvolume-binder-controller': 'persistent-volume-binder',
  'local-path-provisioner': 'local-path-provisioner',
  'persistentvolumeclaim-protection-controller': 'pvc-protection-controller',
  'persistentvolume-protection-controller': 'pv-protection-controller',
};

/** Controllers upstream leaves off unless named explicitly in --controllers (e.g. bootstrapsigner); none of ours yet. */
export const disabledByDefault: ReadonlySet<string> = new Set<string>();

/**
 * Worker-count flag per controller (upstream's `--concurrent-*-syncs`); controllers not
 * listed run one worker.
 */
export const concurrencyFlags: Readonly<Record<string, string>> = {
  'deployment-controller': 'concurrent-deployment-syncs',
  'replicaset-controller': 'concurrent-replicaset-syncs',
  'replicationcontroller-controller': 'concurrent-rc-syncs',
  'garbage-collector-controller': 'concurrent-gc-syncs',
  'namespace-controller': 'concurrent-namespace-syncs',
  'serviceaccount-controller': 'concurrent-serviceaccount-token-syncs',
  'endpoints-controller': 'concurrent-endpoint-syncs',
  'endpointslice-controller': 'concurrent-service-endpoint-syncs',
  'daemonset-controller': 'concurrent-daemonset-syncs',
  'statefulset-controller': 'concurrent-statefulset-syncs',
  'job-controller': 'concurrent-job-syncs',
  'cronjob-controller': 'concurrent-cron-job-syncs',
  'resourcequota-controller': 'concurrent-resource-quota-syncs',
  'ttl-after-finished-controller': 'concurrent-ttl-after-finished-syncs',
};
