/**
 * VolumeBinding, as upstream's plugin: pods without PersistentVolumeClaims skip it; a missing
 * claim, or an unbound claim of an Immediate class, keeps the pod pending. A bound claim's
 * volume node affinity is a Filter. A claim of a WaitForFirstConsumer class does not block
 * scheduling: Filter asks for a matching free volume reachable from the node, or a class with a
 * provisioner; PreBind then pre-binds the chosen volume (claimRef) or places the claim on the
 * node (`volume.kubernetes.io/selected-node`) for its provisioner, and waits until every claim
 * is Bound (bind timeout). Without `deps` (no claim/volume/class access) the plugin only knows
 * claims' phases and keeps any unbound claim pending, as before.
 */
import type { DeepReadonly } from '../../../api/object.ts';
import { Code, status } from '../../framework/interface.ts';
import type { CycleState, FilterPlugin, Handle, MaybeStatus, PreBindPlugin, PreFilterPlugin } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { RNode, RPod } from '../../types.ts';
import { termsMatch } from '../helper/nodeselector.ts';
import { findBestMatchForClaim } from '../../../controllers/persistentvolume/matcher.ts';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../controllers/persistentvolume/types.ts';
import { Ann, claimClass } from '../../../controllers/persistentvolume/types.ts';

export const Name = 'VolumeBinding';
export const ErrReasonBindConflict = 'node(s) had volume node affinity conflict';
export const ErrReasonUnboundImmediate = 'pod has unbound immediate PersistentVolumeClaims';
export const ErrReasonNotEnoughSpace = 'node(s) did not have enough free storage';
export const ErrReasonBindFailed = "node(s) didn't find available persistent volumes to bind";
/** Upstream's VolumeBindingArgs.bindTimeoutSeconds default. */
export const DEFAULT_BIND_TIMEOUT_MS = 600_000;

type RPV = DeepReadonly<PersistentVolume>;
type RPVC = DeepReadonly<PersistentVolumeClaim>;

/** What the full plugin reads and writes (the scheduler builds it from its informers and client). */
export interface VolumeBindingDeps {
  readonly claim: (namespace: string, name: string) => RPVC | undefined;
  readonly volume: (name: string) => RPV | undefined;
  readonly volumes: () => readonly RPV[];
  readonly storageClass: (name: string) => DeepReadonly<StorageClass> | undefined;
  /** Pre-binds a free volume to the claim (spec.claimRef); the binder completes the binding. */
  readonly prebindVolume: (volume: RPV, claim: RPVC) => Promise<void>;
  /** Sets the claim's selected-node annotation so its provisioner makes a volume there. */
  readonly selectNode: (claim: RPVC, node: string) => Promise<void>;
  readonly bindTimeoutMs?: number;
  /** Resolves after `ms`, and the clock (tests pass fakes). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

interface CycleData {
  /** Claims bound already: their volumes must reach the node. */
  readonly bound: RPVC[];
  /** WaitForFirstConsumer claims still unbound. */
  readonly delayed: RPVC[];
  /** node → per delayed claim: the volume to pre-bind, or 'provision'. */
  readonly decisions: Map<string, (RPV | 'provision')[]>;
}

const KEY = `${Name}/claims`;

/** Whether a PersistentVolume's required node affinity admits the node (no affinity: every node). */
export function volumeFitsNode(pv: RPV, node: RNode | undefined): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (terms === undefined || node === undefined) {
    return true;
  }
  return termsMatch(terms, node);
}

const claimsOf = (pod: RPod): string[] => (pod.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim === undefined ? [] : [v.persistentVolumeClaim.claimName]));

/** Builds the plugin; `deps` gives it claims, volumes, classes and writes (see VolumeBindingDeps). */
export function newVolumeBinding(deps?: VolumeBindingDeps): PreFilterPlugin & FilterPlugin & PreBindPlugin {
  const sleep = deps?.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = deps?.now ?? Date.now;
  return {
    name: Name,
    events: ['PvcChange', 'NodeAdd'],
    preFilter(state: CycleState, pod: RPod, handle: Handle): MaybeStatus {
      const names = claimsOf(pod);
      state.skipFilter.add(Name);
      if (names.length === 0) {
        return status(Code.Skip);
      }
      const ns = pod.metadata.namespace ?? '';
      const data: CycleData = { bound: [], delayed: [], decisions: new Map() };
      for (const name of names) {
        if (deps === undefined) {
          const c = handle.claim(ns, name);
          if (c === undefined) {
            return status(Code.UnschedulableAndUnresolvable, `persistentvolumeclaim "${name}" not found`);
          }
          if (c.volumeName === '' && c.phase !== 'Bound') {
            return status(Code.UnschedulableAndUnresolvable, ErrReasonUnboundImmediate);
          }
          continue;
        }
        const claim = deps.claim(ns, name);
        if (claim === undefined) {
          return status(Code.UnschedulableAndUnresolvable, `persistentvolumeclaim "${name}" not found`);
        }
        if (claim.metadata.deletionTimestamp !== undefined) {
          return status(Code.UnschedulableAndUnresolvable, `persistentvolumeclaim "${name}" is being deleted`);
        }
        if ((claim.spec?.volumeName ?? '') !== '') {
          data.bound.push(claim);
        } else if (deps.storageClass(claimClass(claim))?.volumeBindingMode === 'WaitForFirstConsumer') {
          data.delayed.push(claim);
        } else {
          return status(Code.UnschedulableAndUnresolvable, ErrReasonUnboundImmediate);
        }
      }
      if (deps !== undefined) {
        state.skipFilter.delete(Name);
        state.write(KEY, data);
      }
      return undefined;
    },
    filter(state: CycleState, _pod: RPod, info: NodeInfo): MaybeStatus {
      const data = state.read<CycleData>(KEY);
      if (data === undefined || deps === undefined) {
        return undefined;
      }
      const node = info.node;
      for (const claim of data.bound) {
        const pv = deps.volume(claim.spec?.volumeName ?? '');
        if (pv !== undefined && !volumeFitsNode(pv, node)) {
          return status(Code.UnschedulableAndUnresolvable, ErrReasonBindConflict);
        }
      }
      const decisions: (RPV | 'provision')[] = [];
      const chosen = new Set<string>();
      for (const claim of data.delayed) {
        const pv = findBestMatchForClaim(claim, deps.volumes().filter((v) => !chosen.has(v.metadata.name ?? '')), false, (v) => volumeFitsNode(v, node));
        if (pv !== undefined) {
          chosen.add(pv.metadata.name ?? '');
          decisions.push(pv);
          continue;
        }
        const provisioner = deps.storageClass(claimClass(claim))?.provisioner ?? '';
        if (provisioner === '' || provisioner === 'kubernetes.io/no-provisioner') {
          return status(Code.UnschedulableAndUnresolvable, ErrReasonBindFailed);
        }
        decisions.push('provision');
      }
      data.decisions.set(info.name, decisions);
      return undefined;
    },
    async preBind(state: CycleState, pod: RPod, nodeName: string): Promise<MaybeStatus> {
      const data = state.read<CycleData>(KEY);
      if (data === undefined || deps === undefined || data.delayed.length === 0) {
        return undefined;
      }
      const decisions = data.decisions.get(nodeName) ?? [];
      try {
        for (const [i, claim] of data.delayed.entries()) {
          const decision = decisions[i] ?? 'provision';
          if (decision === 'provision') {
            if (claim.metadata.annotations?.[Ann.selectedNode] !== nodeName) {
              await deps.selectNode(claim, nodeName);
            }
          } else {
            await deps.prebindVolume(decision, claim);
          }
        }
      } catch (e) {
        return status(Code.Error, `binding volumes: ${(e as Error).message}`);
      }
      // Wait for the binder (and provisioner) to finish, as upstream's PreBind does.
      const ns = pod.metadata.namespace ?? '';
      const deadline = now() + (deps.bindTimeoutMs ?? DEFAULT_BIND_TIMEOUT_MS);
      for (;;) {
        const pending = data.delayed.filter((c) => deps.claim(ns, c.metadata.name ?? '')?.status?.phase !== 'Bound');
        if (pending.length === 0) {
          return undefined;
        }
        if (pending.some((c) => deps.claim(ns, c.metadata.name ?? '') === undefined)) {
          return status(Code.Error, `binding volumes: persistentvolumeclaim "${pending[0]?.metadata.name ?? ''}" not found`);
        }
        if (now() >= deadline) {
          return status(Code.Error, 'binding volumes: context deadline exceeded');
        }
        await sleep(100);
      }
    },
  } satisfies PreFilterPlugin & FilterPlugin & PreBindPlugin;
}
