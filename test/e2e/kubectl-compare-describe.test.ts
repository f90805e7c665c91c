/**
 * k8ts kubectl vs real kubectl 1.35 on the same apiserver (no controllers, no kubelet): describe
 * for pods (with a patched status and events), deployments, replica sets, jobs, daemon sets,
 * stateful sets, cron jobs, services,
 * namespaces, nodes, config maps, secrets and a custom resource (generic describer), name prefixes,
 * selectors, errors; and the printers: jsonpath, go-template, custom-columns, --sort-by.
 * Each command runs with both binaries and must agree on stdout, stderr and exit code after
 * normalising ages, uids, timestamps and resourceVersions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectlOk } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { compareKubectl } from '../util/kubectl-compare.ts';
import type { CompareOptions } from '../util/kubectl-compare.ts';

const manifest = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, labels: {app: web}, annotations: {note: hello, long: "${'x'.repeat(150)}"}}
data: {mode: fast, multi: "line1\\nline2\\n"}
binaryData: {blob: aGVsbG8gd29ybGQ=}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
type: Opaque
stringData: {user: admin, password: "s3cr3t!"}
---
apiVersion: v1
kind: Pod
metadata:
  name: rich
  labels: {app: web, tier: fe}
  annotations: {team: core, multi: "a\\nb"}
spec:
  priorityClassName: system-cluster-critical
  nodeSelector: {disk: ssd}
  tolerations:
  - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
  - {operator: Exists}
  initContainers:
  - {name: init, image: busybox, command: [sh, -c, "echo init\\necho two"]}
  containers:
  - name: app
    image: nginx:1.25
    ports: [{containerPort: 80, name: http}, {containerPort: 443, protocol: TCP, hostPort: 8443}]
    args: [--port, "80"]
    env:
    - {name: PLAIN, value: v1}
    - {name: MULTI, value: "x\\ny"}
    - {name: FROM_CM, valueFrom: {configMapKeyRef: {name: settings, key: mode}}}
    - {name: FROM_SECRET, valueFrom: {secretKeyRef: {name: creds, key: user, optional: true}}}
    - {name: MY_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: CPU_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
    envFrom:
    - configMapRef: {name: settings}
    - {secretRef: {name: creds}, prefix: S_}
    resources: {limits: {cpu: 500m, memory: 256Mi}, requests: {cpu: 250m, memory: 128Mi}}
    livenessProbe: {httpGet: {path: /healthz, port: 80}, initialDelaySeconds: 5}
    readinessProbe: {tcpSocket: {port: http}}
    startupProbe: {exec: {command: [cat, /tmp/ready]}}
    volumeMounts:
    - {name: cache, mountPath: /cache}
    - {name: cfg, mountPath: /etc/cfg, readOnly: true}
    - {name: data, mountPath: /data, subPath: sub}
  - {name: sidecar, image: busybox, command: [sleep, "3600"]}
  volumes:
  - {name: cache, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
  - {name: cfg, configMap: {name: settings}}
  - {name: sec, secret: {secretName: creds, optional: true}}
  - {name: host, hostPath: {path: /var/log, type: Directory}}
  - {name: data, persistentVolumeClaim: {claimName: data-claim}}
  - name: info
    downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}, {path: cpu, resourceFieldRef: {containerName: app, resource: limits.cpu}}]}
---
apiVersion: v1
kind: Pod
metadata: {name: plain, labels: {app: db}}
spec: {containers: [{name: c, image: postgres}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}, {name: https, port: 443, targetPort: 8443}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}, annotations: {kubernetes.io/change-cause: initial}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: "25%"}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m}}}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: standalone, labels: {app: solo}}
spec:
  replicas: 2
  selector: {matchLabels: {app: solo}, matchExpressions: [{key: tier, operator: In, values: [a, b]}]}
  template:
    metadata: {labels: {app: solo, tier: a}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  backoffLimit: 2
  ttlSecondsAfterFinished: 100
  activeDeadlineSeconds: 600
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: [echo, hi]}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, labels: {app: agent}}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {nodeSelector: {disk: ssd}, containers: [{name: a, image: busybox, command: [sleep, "1d"]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, annotations: {a: b}}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: postgres}]}
  volumeClaimTemplates:
  - metadata: {name: data, labels: {tier: storage}}
    spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 1Gi}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  successfulJobsHistoryLimit: 2
  jobTemplate:
    spec:
      completions: 2
      template:
        spec: {restartPolicy: OnFailure, containers: [{name: c, image: busybox, command: [date]}]}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  scope: Namespaced
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`;

const podStatus = {
  status: {
    phase: 'Running', hostIP: '10.0.0.5', podIP: '10.244.1.7', podIPs: [{ ip: '10.244.1.7' }], startTime: '2026-01-02T10:00:00Z', qosClass: 'Burstable',
    conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }],
    initContainerStatuses: [{ name: 'init', ready: true, restartCount: 0, image: 'busybox', imageID: 'docker.io/library/busybox@sha256:abc', containerID: 'containerd://111', state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: '2026-01-02T10:00:01Z', finishedAt: '2026-01-02T10:00:02Z' } } }],
    containerStatuses: [
      { name: 'app', ready: true, restartCount: 2, image: 'nginx:1.25', imageID: 'docker.io/library/nginx@sha256:def', containerID: 'containerd://222', state: { running: { startedAt: '2026-01-02T10:00:03Z' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', message: 'killed', startedAt: '2026-01-02T09:00:00Z', finishedAt: '2026-01-02T09:59:00Z' } } },
      { name: 'sidecar', ready: false, restartCount: 0, image: 'busybox', imageID: '', containerID: '', state: { waiting: { reason: 'ImagePullBackOff', message: 'nope' } } },
    ],
  },
};

function events(uid: string): string {
  // Timestamps hours in the past: both runs see the same ages (normalised anyway).
  const ago = (h: number): string => new Date(Date.now() - h * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const ref = `{kind: Pod, name: rich, namespace: default, uid: ${uid}, apiVersion: v1`;
  return `apiVersion: v1
kind: Event
metadata: {name: rich.1}
involvedObject: ${ref}, fieldPath: "spec.containers{app}"}
type: Normal
reason: Pulled
message: 'Successfully pulled image "nginx:1.25"'
source: {component: kubelet, host: node-1}
firstTimestamp: "${ago(11)}"
lastTimestamp: "${ago(11)}"
count: 1
---
apiVersion: v1
kind: Event
metadata: {name: rich.2}
involvedObject: ${ref}}
type: Warning
reason: BackOff
message: "Back-off restarting failed container  "
reportingComponent: kubelet
firstTimestamp: "${ago(35)}"
lastTimestamp: "${ago(10)}"
count: 5
---
apiVersion: v1
kind: Event
metadata: {name: rich.3}
involvedObject: ${ref}}
type: Normal
reason: Scheduled
message: Successfully assigned default/rich to node-1
source: {component: default-scheduler}
firstTimestamp: "${ago(12)}"
lastTimestamp: "${ago(12)}"
`;
}

const nodeManifest = `apiVersion: v1
kind: Node
metadata:
  name: node-1
  labels: {kubernetes.io/hostname: node-1, node-role.kubernetes.io/worker: "", disk: ssd}
spec:
  podCIDR: 10.244.1.0/24
  podCIDRs: [10.244.1.0/24]
  taints: [{key: dedicated, value: web, effect: NoSchedule}, {key: gpu, effect: NoExecute}]
---
apiVersion: v1
kind: Pod
metadata: {name: onnode}
spec:
  nodeName: node-1
  initContainers: [{name: i, image: busybox, resources: {requests: {cpu: "2", memory: 1Gi}}}]
  containers:
  - {name: a, image: nginx, resources: {requests: {cpu: 250m, memory: 64Mi}, limits: {cpu: "1", memory: 128Mi}}}
  - {name: b, image: nginx, resources: {requests: {cpu: 100m, example.com/gpu: "1"}, limits: {example.com/gpu: "1"}}}
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: node-1, namespace: kube-node-lease}
spec: {holderIdentity: node-1, leaseDurationSeconds: 40, renewTime: "2026-01-02T21:00:00.000000Z"}
`;

const nodeStatus = {
  status: {
    capacity: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi', 'hugepages-2Mi': '0', 'example.com/gpu': '2' },
    allocatable: { cpu: '3800m', memory: '7Gi', pods: '110', 'ephemeral-storage': '90Gi', 'hugepages-2Mi': '0', 'example.com/gpu': '2' },
    addresses: [{ type: 'InternalIP', address: '10.0.0.5' }, { type: 'Hostname', address: 'node-1' }],
    conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-02T10:00:00Z', lastTransitionTime: '2026-01-02T09:00:00Z', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    nodeInfo: { machineID: 'm1', systemUUID: 's1', bootID: 'b1', kernelVersion: '6.1', osImage: 'Debian', operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'containerd://1.7', kubeletVersion: 'v1.35.0', kubeProxyVersion: '' },
  },
};

let server: TestApiServer;
let env: ClientEnv;
let dir: string;

async function same(args: readonly string[], opts?: CompareOptions): Promise<void> {
  const r = await compareKubectl(env, args, opts);
  assert.equal(r.equal, true, r.diff);
}

before(async () => {
  server = await startApiServer();
  dir = mkdtempSync(join(tmpdir(), 'k8ts-kubectl-describe-'));
  env = clientEnv(server.kubeconfig);
  writeFileSync(join(dir, 'objs.yaml'), manifest);
  await kubectlOk(env, ['apply', '-f', join(dir, 'objs.yaml')]);
  await kubectlOk(env, ['patch', 'pod', 'rich', '--subresource=status', '--type=merge', '-p', JSON.stringify(podStatus)]);
  const uid = (await kubectlOk(env, ['get', 'pod', 'rich', '-o', 'jsonpath={.metadata.uid}'])).trim();
  await kubectlOk(env, ['create', '-f', '-'], { stdin: events(uid) });
  await kubectlOk(env, ['apply', '-f', '-'], { stdin: nodeManifest });
  await kubectlOk(env, ['patch', 'node', 'node-1', '--subresource=status', '--type=merge', '-p', JSON.stringify(nodeStatus)]);
  await kubectlOk(env, ['wait', '--for=condition=Established', 'crd/gadgets.example.com', '--timeout=60s']);
  await kubectlOk(env, ['apply', '--validate=false', '-f', '-'], {
    stdin: 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1, labels: {kind: toy}}\nspec: {size: 3, ratio: 2.5, tags: [a, b], nested: {enabled: true, apiURL: "http://x"}, items: [{name: one}]}\n',
  });
});

after(async () => {
  env?.cleanup();
  if (dir !== undefined) {
    rmSync(dir, { recursive: true, force: true });
  }
  await server?.stop();
});

describe('describe', () => {
  // One `describe -f` covers every kind in the manifest (pod with status and events, plain pod,
  // service, deployment, replica set, job, daemon set, stateful set, cron job, config map,
  // secret, CRD) and their separation.
  const matrix: string[][] = [
    ['describe', '-f', 'objs.yaml'],
    ['describe', 'pods', 'ri'],
    ['describe', 'pods', '-l', 'app=nope'],
    ['describe', 'pod', 'nope'],
    ['describe'],
    ['describe', 'namespace', 'default'],
    ['describe', 'node', 'node-1'],
    ['describe', 'gadget', 'g1'],
  ];
  for (const args of matrix) {
    test(args.join(' '), async () => {
      await same(args, { cwd: dir });
    });
  }
});

describe('printers', () => {
  const matrix: string[][] = [
    ['get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.containers[*].image}{"\\n"}{end}'],
    ['get', 'pod', 'rich', '-o', 'jsonpath={.spec.containers[?(@.name=="app")].ports[*].containerPort} {.status.containerStatuses[0].state}'],
    ['get', 'pod', 'rich', '-o', 'jsonpath={.metadata.x'],
    ['get', 'pods', '-o', 'go-template={{range .items}}{{.metadata.name}}:{{len .spec.containers}}{{if .status.podIP}} {{.status.podIP}}{{end}}{{"\\n"}}{{end}}'],
    ['get', 'pods', '-o', 'custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image,PORTS:.spec.containers[*].ports[*].containerPort,NODE:.spec.nodeName'],
    ['get', 'pods', '-o', 'custom-columns=BAD'],
    ['get', 'pods', '--sort-by=.spec.containers[0].image'],
    ['get', 'pods', '--sort-by=.status.podIP', '-o', 'custom-columns=N:.metadata.name'],
  ];
  for (const args of matrix) {
    test(args.join(' '), async () => {
      await same(args);
    });
  }
});
