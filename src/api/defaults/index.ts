/**
 * Defaulting with upstream's defaults (pod restartPolicy, dnsPolicy, container
 * terminationMessagePath, deployment strategy, ...): mutates obj in place.
 * The validation/defaults module owns this folder; this first body changes nothing.
 */
import type { GroupVersionKind, KubeObject } from '../object.ts';

export function applyDefaults(_gvk: GroupVersionKind, _obj: KubeObject): void {}
