/**
 * VolumeBinding (hooks for later PVs): pods without PersistentVolumeClaims skip it; a claim
 * that does not exist or is not yet bound keeps the pod pending. Dynamic provisioning and
 * WaitForFirstConsumer topology are not implemented yet (PreBind is a no-op).
 */
import { Code, status } from '../../framework/interface.ts';
import type { CycleState, FilterPlugin, Handle, MaybeStatus, PreBindPlugin, PreFilterPlugin } from '../../framework/interface.ts';
import type { RPod } from '../../types.ts';

export const Name = 'VolumeBinding';
export const ErrReasonBindConflict = 'node(s) had volume node affinity conflict';
export const ErrReasonUnboundImmediate = 'pod has unbound immediate PersistentVolumeClaims';

/** Builds the plugin. */
export function newVolumeBinding(): PreFilterPlugin & FilterPlugin & PreBindPlugin {
  return {
    name: Name,
    events: ['PvcChange', 'NodeAdd'],
    preFilter(state: CycleState, pod: RPod, handle: Handle): MaybeStatus {
      const claims = (pod.spec.volumes ?? []).filter((v) => v.persistentVolumeClaim !== undefined);
      state.skipFilter.add(Name);
      if (claims.length === 0) {
        return status(Code.Skip);
      }
      for (const v of claims) {
        const name = v.persistentVolumeClaim?.claimName ?? '';
        const c = handle.claim(pod.metadata.namespace ?? '', name);
        if (c === undefined) {
          return status(Code.UnschedulableAndUnresolvable, `persistentvolumeclaim "${name}" not found`);
        }
        if (c.volumeName === '' && c.phase !== 'Bound') {
          return status(Code.UnschedulableAndUnresolvable, ErrReasonUnboundImmediate);
        }
      }
      return undefined;
    },
    filter(): MaybeStatus {
      return undefined;
    },
    preBind(): Promise<MaybeStatus> {
      return Promise.resolve(undefined);
    },
  } satisfies PreFilterPlugin & FilterPlugin & PreBindPlugin;
}
