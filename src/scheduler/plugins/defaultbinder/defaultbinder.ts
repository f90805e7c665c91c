/** DefaultBinder: POST pods/<name>/binding with the chosen node (the only API write of a successful cycle). */
import { Code, Status } from '../../framework/interface.ts';
import type { BindPlugin, CycleState, MaybeStatus } from '../../framework/interface.ts';
import type { RPod } from '../../types.ts';

export const Name = 'DefaultBinder';

/** What the binder needs from the API: create a Binding for a pod. */
export type BindFunc = (namespace: string, name: string, uid: string | undefined, nodeName: string) => Promise<void>;

/** Builds the plugin over a bind function (the scheduler passes one backed by its RestClient). */
export function newDefaultBinder(bind: BindFunc): BindPlugin {
  return {
    name: Name,
    async bind(_state: CycleState, pod: RPod, nodeName: string): Promise<MaybeStatus> {
      try {
        await bind(pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', pod.metadata.uid, nodeName);
        return undefined;
      } catch (e) {
        return new Status(Code.Error, [(e as Error).message]);
      }
    },
  } satisfies BindPlugin;
}
