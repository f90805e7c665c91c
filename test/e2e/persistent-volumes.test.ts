/**
 * PersistentVolumes end to end: a real apiserver, a real kubelet running pods under runc, and the
 * controller-manager as its own process with the persistentvolume-binder-controller and the
 * built-in local-path-provisioner. A static PV and a claim bind; a claim on the default class
 * (local-path, WaitForFirstConsumer) stays Pending until it is placed on a node, then gets a
 * provisioned hostPath volume there; a pod writes into it, a later pod reads it back; deleting
 * the claim deletes the volume. Real kubectl 1.35 reads pv and pvc. Volumes live in a temp root.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canRunPods, startKubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import type { KubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import { identityKubeconfig, startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { until } from '../util/wait.ts';
import { startControllerManager } from '../util/controller-manager.ts';
import type { TestControllerManager } from '../util/controller-manager.ts';

const IMAGE = 'k8ts.local/e2e/busybox:1';

interface Obj {
  metadata: { name: string; uid: string; annotations?: Record<string, string>; finalizers?: string[]; deletionTimestamp?: string };
  spec: { volumeName?: string; storageClassName?: string; claimRef?: { name: string; namespace: string; uid: string }; hostPath?: { path: string; type: string }; persistentVolumeReclaimPolicy?: string; nodeAffinity?: unknown };
  status: { phase?: string; capacity?: Record<string, string>; accessModes?: string[] };
}

describe('PersistentVolumes (binder, local-path provisioner, kubelet mounts)', { skip: !canRunPods && 'needs root, runc, conmon, catatonit and CNI plugins' }, () => {
  let bed: KubeletTestbed<TestApiServer>;
  let env: ClientEnv;
  let cm: TestControllerManager | undefined;
  let sched: ChildProcess | undefined;
  let schedLog = '';
  let nodeName = '';
  let root = '';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'k8ts-pv-e2e-'));
    // The kubelet as system:node:<name>: the claims and volumes it reads come through the Node authorizer's graph.
    bed = await startKubeletTestbed('pv', IMAGE, () => startApiServer({ extraArgs: ['--authorization-mode', 'Node,RBAC'] }), [], [],
      (api, node) => identityKubeconfig(api.url, api.dataDir, 'kubelet-pv', `system:node:${node}`, ['system:nodes']));
    env = clientEnv(bed.api.kubeconfig);
    nodeName = bed.kubelet.nodeName;
    // The default class as k3s ships it, its volumes under this test's temp root (the class's nodePath);
    // made before the provisioner starts, which leaves an existing local-path class alone.
    await kubectlOk(env, ['delete', 'storageclass', 'local-path', '--ignore-not-found']);
    const cls = {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', parameters: { nodePath: root },
    };
    await kubectlOk(env, ['create', '-f', '-'], { stdin: JSON.stringify(cls) });
    // Each controller as its own ServiceAccount: the persistent-volume-binder and local-path-provisioner roles must suffice.
    cm = startControllerManager(bed.api.kubeconfig, ['--secure-port=0', '--use-service-account-credentials', '--controllers=persistentvolume-binder-controller,local-path-provisioner,persistentvolumeclaim-protection-controller,persistentvolume-protection-controller']);
    sched = spawn(new URL('../../bin/k8ts', import.meta.url).pathname, ['scheduler', '--kubeconfig', bed.api.kubeconfig, '--leader-elect=false', '--secure-port=0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    sched.stderr?.setEncoding('utf8').on('data', (d: string) => (schedLog += d));
  });

  after(async () => {
    await cm?.stop();
    if (sched !== undefined && sched.exitCode === null) {
      const exited = new Promise((resolve) => sched?.once('exit', resolve));
      sched.kill('SIGTERM');
      await exited;
    }
    env?.cleanup();
    await bed?.stop();
    await rm(root, { recursive: true, force: true });
  });

  const get = async (kind: string, name: string): Promise<Obj | undefined> => {
    const r = await kubectl(env, ['get', kind, name, '-o', 'json']);
    return r.code === 0 ? (JSON.parse(r.stdout) as Obj) : undefined;
  };
  const events = async (name: string): Promise<string> => kubectlOk(env, ['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
  const context = (): string => `controller-manager output:\n${cm?.log() ?? ''}\nscheduler:\n${schedLog}`;
  const apply = (obj: unknown): Promise<string> => kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(obj) });
  const pod = (name: string, script: string): unknown => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: {
      restartPolicy: 'Never', terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: IMAGE, command: ['sh', '-c', script], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
    },
  });
  const podPhase = async (name: string): Promise<string> => (await get('pod', name))?.status.phase ?? '';

  test('a static PV and a claim bind; the claim going away releases the volume', { timeout: 60_000 }, async () => {
    await apply({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'static-pv' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: join(root, 'static') } },
    });
    await apply({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'huge-pv' }, spec: { capacity: { storage: '100Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', hostPath: { path: join(root, 'huge') } } });
    // The binder matches only Available volumes (as upstream): wait until it has seen both.
    await until('both static PVs to be Available', async () => (await get('pv', 'static-pv'))?.status.phase === 'Available' && (await get('pv', 'huge-pv'))?.status.phase === 'Available', { timeoutMs: 30_000, intervalMs: 200, context });
    await apply({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'static-claim', namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', resources: { requests: { storage: '500Mi' } } },
    });
    const claim = await until('the static claim to be Bound', async () => {
      const c = await get('pvc', 'static-claim');
      return c?.status.phase === 'Bound' ? c : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200, context });
    assert.equal(claim.spec.volumeName, 'static-pv', 'the smallest volume that fits');
    assert.deepEqual(claim.status.capacity, { storage: '1Gi' });
    assert.deepEqual(claim.status.accessModes, ['ReadWriteOnce']);
    assert.equal(claim.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(claim.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(claim.metadata.finalizers, ['kubernetes.io/pvc-protection'], 'StorageObjectInUseProtection admission');
    const pv = await until('the static PV to be Bound', async () => {
      const v = await get('pv', 'static-pv');
      return v?.status.phase === 'Bound' ? v : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200, context });
    assert.equal(pv.spec.claimRef?.name, 'static-claim');
    assert.equal(pv.spec.claimRef?.uid, claim.metadata.uid);
    assert.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection']);
    assert.equal((await get('pv', 'huge-pv'))?.status.phase, 'Available');
    const table = await kubectlOk(env, ['get', 'pv,pvc']);
    assert.match(table, /^persistentvolume\/static-pv\s+1Gi\s+RWO\s+Retain\s+Bound\s+default\/static-claim\s+manual\s+/m);
    assert.match(table, /^persistentvolume\/huge-pv\s+100Gi\s+RWO\s+Retain\s+Available\s+manual\s+/m);
    assert.match(table, /^persistentvolumeclaim\/static-claim\s+Bound\s+static-pv\s+1Gi\s+RWO\s+manual\s+/m);

    // No class, no volume: upstream's event.
    await apply({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'nothing', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage: '1Gi' } } } });
    await until('the FailedBinding event', async () => /^FailedBinding: no persistent volumes available for this claim and no storage class is set$/m.test(await events('nothing')), { timeoutMs: 30_000, intervalMs: 200, context });
    assert.equal((await get('pvc', 'nothing'))?.status.phase, 'Pending');

    await kubectlOk(env, ['delete', 'pvc', 'static-claim', 'nothing']);
    await until('the static PV to be Released', async () => (await get('pv', 'static-pv'))?.status.phase === 'Released', { timeoutMs: 30_000, intervalMs: 200, context });
    await kubectlOk(env, ['delete', 'pv', 'static-pv', 'huge-pv']);
  });

  test('a claim on the default local-path class is provisioned on its node; the data outlives the pod; deleting the claim deletes the volume', { timeout: 80_000 }, async () => {
    await apply({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } } });
    await until('the WaitForFirstConsumer event', async () => /^WaitForFirstConsumer: waiting for first consumer to be created before binding$/m.test(await events('data')), { timeoutMs: 30_000, intervalMs: 200, context });
    const pending = await get('pvc', 'data');
    assert.equal(pending?.spec.storageClassName, 'local-path');
    assert.equal(pending?.status.phase, 'Pending');
    assert.equal((await kubectlOk(env, ['get', 'pv', '-o', 'name'])).trim(), '', 'nothing provisioned before a consumer');

    // A consumer: the scheduler places the claim on a node (VolumeBinding PreBind), then binds the pod.
    await apply(pod('writer', 'echo hello from writer > /data/greeting'));
    const claim = await until('the claim to be Bound', async () => {
      const c = await get('pvc', 'data');
      return c?.status.phase === 'Bound' ? c : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200, context });
    const pvName = `pvc-${claim.metadata.uid}`;
    assert.equal(claim.spec.volumeName, pvName);
    assert.equal(claim.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'rancher.io/local-path');
    assert.equal(claim.spec.storageClassName, 'local-path', 'the default class, from DefaultStorageClass admission');
    assert.equal(claim.metadata.annotations?.['volume.kubernetes.io/selected-node'], nodeName, 'placed by the scheduler');
    const pv = await get('pv', pvName);
    const dir = join(root, `pvc-${claim.metadata.uid}_default_data`);
    assert.deepEqual(pv?.spec.hostPath, { path: dir, type: 'DirectoryOrCreate' });
    assert.equal(pv?.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
    assert.equal(pv?.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.deepEqual(pv?.spec.nodeAffinity, { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [nodeName] }] }] } });
    assert.match(await events('data'), /^ProvisioningSucceeded: Successfully provisioned volume pvc-/m);

    await until('the writer to succeed', async () => (await podPhase('writer')) === 'Succeeded', { timeoutMs: 60_000, intervalMs: 250, context: () => `${context()}\nkubelet:\n${bed.kubelet.log().slice(-4000)}` });
    assert.equal(await readFile(join(dir, 'greeting'), 'utf8'), 'hello from writer\n');
    await kubectlOk(env, ['delete', 'pod', 'writer', '--wait=false']);
    await until('the writer to be gone', async () => (await get('pod', 'writer')) === undefined, { timeoutMs: 30_000, intervalMs: 250 });

    await apply(pod('reader', 'cat /data/greeting'));
    await until('the reader to succeed', async () => (await podPhase('reader')) === 'Succeeded', { timeoutMs: 60_000, intervalMs: 250 });
    assert.equal(await kubectlOk(env, ['logs', 'reader']), 'hello from writer\n');
    const table = await kubectlOk(env, ['get', 'pv,pvc']);
    assert.match(table, new RegExp(`^persistentvolume/${pvName}\\s+64Mi\\s+RWO\\s+Delete\\s+Bound\\s+default/data\\s+local-path\\s+`, 'm'));
    assert.match(table, new RegExp(`^persistentvolumeclaim/data\\s+Bound\\s+${pvName}\\s+64Mi\\s+RWO\\s+local-path\\s+`, 'm'));
    // Claim protection: the (finished) reader pod still names the claim, so deleting the claim
    // only marks it; once the pod is gone the finalizer comes off, the claim goes, and the
    // released volume is deleted (its pv-protection finalizer comes off as it is no longer Bound).
    await kubectlOk(env, ['delete', 'pvc', 'data', '--wait=false']);
    const terminating = await get('pvc', 'data');
    assert.notEqual(terminating?.metadata.deletionTimestamp, undefined);
    assert.deepEqual(terminating?.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    assert.match(await kubectlOk(env, ['get', 'pvc', 'data']), /^data\s+Terminating\s+/m);
    await kubectlOk(env, ['delete', 'pod', 'reader', '--wait=false']);
    await until('the reader to be gone', async () => (await get('pod', 'reader')) === undefined, { timeoutMs: 30_000, intervalMs: 250 });
    await until('the claim to be gone', async () => (await get('pvc', 'data')) === undefined, { timeoutMs: 30_000, intervalMs: 200, context });
    await until('the provisioned PV to be deleted', async () => (await get('pv', pvName)) === undefined, { timeoutMs: 30_000, intervalMs: 200, context });
  });
});
