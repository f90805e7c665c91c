import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, CycleState } from '../../framework/interface.ts';
import { handleOf, makeNode, makePod, nodeInfo } from '../testing.ts';
import { ErrReasonBindConflict, ErrReasonBindFailed, ErrReasonUnboundImmediate, newVolumeBinding } from './volumebinding.ts';
import type { VolumeBindingDeps } from './volumebinding.ts';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../controllers/persistentvolume/types.ts';

test('VolumeBinding without deps: skips pods without claims; missing or unbound claims keep the pod pending', () => {
  const p = newVolumeBinding();
  assert.equal(p.preFilter(new CycleState(), makePod('p'), handleOf([]))?.code, Code.Skip);
  const claims: Record<string, { phase: string; volumeName: string }> = { bound: { phase: 'Bound', volumeName: 'pv1' }, pending: { phase: 'Pending', volumeName: '' } };
  const handle = { ...handleOf([]), claim: (_ns: string, name: string) => claims[name] };
  const withClaim = (claimName: string) => makePod('q', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName } }] });
  assert.equal(p.preFilter(new CycleState(), withClaim('bound'), handle), undefined);
  assert.deepEqual(p.preFilter(new CycleState(), withClaim('pending'), handle)?.reasons, [ErrReasonUnboundImmediate]);
  const missing = p.preFilter(new CycleState(), withClaim('nope'), handle);
  assert.equal(missing?.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(missing?.reasons, ['persistentvolumeclaim "nope" not found']);
});

const affinity = (node: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } });

function fixture() {
  const claims: Record<string, PersistentVolumeClaim> = {
    bound: { metadata: { name: 'bound', namespace: 'default' }, spec: { volumeName: 'pv-a', storageClassName: 'local' }, status: { phase: 'Bound' } },
    wait: { metadata: { name: 'wait', namespace: 'default', uid: 'w1' }, spec: { storageClassName: 'local-path', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } },
    waitStatic: { metadata: { name: 'waitStatic', namespace: 'default', uid: 'w2' }, spec: { storageClassName: 'local', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } },
    now: { metadata: { name: 'now', namespace: 'default' }, spec: { storageClassName: 'immediate' }, status: { phase: 'Pending' } },
  };
  const volumes: PersistentVolume[] = [
    { metadata: { name: 'pv-a' }, spec: { nodeAffinity: affinity('a'), capacity: { storage: '1Gi' } }, status: { phase: 'Bound' } },
    { metadata: { name: 'pv-b' }, spec: { nodeAffinity: affinity('b'), capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'local' }, status: { phase: 'Available' } },
  ];
  const classes: Record<string, StorageClass> = {
    'local-path': { metadata: { name: 'local-path' }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
    local: { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' },
    immediate: { metadata: { name: 'immediate' }, provisioner: 'x', volumeBindingMode: 'Immediate' },
  };
  const writes: string[] = [];
  const deps: VolumeBindingDeps = {
    claim: (_ns, name) => claims[name],
    volume: (name) => volumes.find((v) => v.metadata.name === name),
    volumes: () => volumes,
    storageClass: (name) => classes[name],
    prebindVolume: (pv, claim) => {
      writes.push(`prebind ${pv.metadata.name ?? ''} ${claim.metadata.name ?? ''}`);
      claims[claim.metadata.name ?? ''] = { ...claims[claim.metadata.name ?? ''], status: { phase: 'Bound' } };
      return Promise.resolve();
    },
    selectNode: (claim, node) => {
      writes.push(`select ${claim.metadata.name ?? ''} ${node}`);
      claims[claim.metadata.name ?? ''] = { ...claims[claim.metadata.name ?? ''], status: { phase: 'Bound' } };
      return Promise.resolve();
    },
    bindTimeoutMs: 1000,
    sleep: () => Promise.resolve(),
  };
  return { deps, writes, claims };
}

const podWith = (...claimNames: string[]) => makePod('p', { volumes: claimNames.map((claimName, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName } })) });
const nodes = { a: nodeInfo(makeNode('a')), b: nodeInfo(makeNode('b')) };

test('VolumeBinding: a bound volume pins the pod to its node; an Immediate unbound claim blocks', () => {
  const { deps } = fixture();
  const p = newVolumeBinding(deps);
  const state = new CycleState();
  assert.equal(p.preFilter(state, podWith('bound'), handleOf([])), undefined);
  assert.equal(p.filter(state, podWith('bound'), nodes.a), undefined);
  assert.deepEqual(p.filter(state, podWith('bound'), nodes.b)?.reasons, [ErrReasonBindConflict]);
  assert.deepEqual(p.preFilter(new CycleState(), podWith('now'), handleOf([]))?.reasons, [ErrReasonUnboundImmediate]);
});

test('VolumeBinding: WaitForFirstConsumer claims schedule; PreBind places the claim or pre-binds a free volume on that node, then waits for Bound', async () => {
  const { deps, writes } = fixture();
  const p = newVolumeBinding(deps);
  const state = new CycleState();
  const pod = podWith('wait', 'waitStatic');
  assert.equal(p.preFilter(state, pod, handleOf([])), undefined);
  assert.deepEqual(p.filter(state, pod, nodes.a)?.reasons, [ErrReasonBindFailed], 'the only free static volume is on node b');
  assert.equal(p.filter(state, pod, nodes.b), undefined);
  assert.equal(await p.preBind(state, pod, 'b'), undefined);
  assert.deepEqual(writes, ['select wait b', 'prebind pv-b waitStatic']);
});

test('VolumeBinding: PreBind gives up after the bind timeout', async () => {
  const { deps } = fixture();
  let now = 0;
  const stuck: VolumeBindingDeps = { ...deps, selectNode: () => Promise.resolve(), now: () => now, sleep: () => { now += 200; return Promise.resolve(); } };
  const p = newVolumeBinding(stuck);
  const state = new CycleState();
  assert.equal(p.preFilter(state, podWith('wait'), handleOf([])), undefined);
  assert.equal(p.filter(state, podWith('wait'), nodes.a), undefined);
  const s = await p.preBind(state, podWith('wait'), 'a');
  assert.equal(s?.code, Code.Error);
  assert.deepEqual(s?.reasons, ['binding volumes: context deadline exceeded']);
});
