/** The in-tree plugins by name, and the default profile's plugin set and score weights (upstream's defaults). */
import { Registry } from '../framework/registry.ts';
import type { PluginConfig } from '../framework/runtime.ts';
import { newDefaultBinder, Name as DefaultBinder } from './defaultbinder/defaultbinder.ts';
import { newDefaultPreemption, Name as DefaultPreemption } from './defaultpreemption/defaultpreemption.ts';
import { newImageLocality, Name as ImageLocality } from './imagelocality/imagelocality.ts';
import { newInterPodAffinity, Name as InterPodAffinity } from './interpodaffinity/interpodaffinity.ts';
import { newNodeAffinity, Name as NodeAffinity } from './nodeaffinity/nodeaffinity.ts';
import { newNodeName, Name as NodeName } from './nodename/nodename.ts';
import { newNodePorts, Name as NodePorts } from './nodeports/nodeports.ts';
import { newBalancedAllocation, Name as BalancedAllocation } from './noderesources/balanced.ts';
import { newNodeResourcesFit, Name as NodeResourcesFit } from './noderesources/fit.ts';
import { newNodeUnschedulable, Name as NodeUnschedulable } from './nodeunschedulable/nodeunschedulable.ts';
import { newPodTopologySpread, Name as PodTopologySpread } from './podtopologyspread/podtopologyspread.ts';
import { newTaintToleration, Name as TaintToleration } from './tainttoleration/tainttoleration.ts';
import { newVolumeBinding, Name as VolumeBinding } from './volumebinding/volumebinding.ts';

/** A registry holding every in-tree plugin. */
export function inTreeRegistry(): Registry {
  return new Registry()
    .register(NodeName, () => newNodeName())
    .register(NodeUnschedulable, () => newNodeUnschedulable())
    .register(TaintToleration, () => newTaintToleration())
    .register(NodeAffinity, () => newNodeAffinity())
    .register(NodePorts, () => newNodePorts())
    .register(NodeResourcesFit, () => newNodeResourcesFit())
    .register(VolumeBinding, (ctx) => newVolumeBinding(ctx.volumeBinding))
    .register(PodTopologySpread, () => newPodTopologySpread())
    .register(InterPodAffinity, () => newInterPodAffinity())
    .register(BalancedAllocation, () => newBalancedAllocation())
    .register(ImageLocality, () => newImageLocality())
    .register(DefaultPreemption, (ctx) => newDefaultPreemption(ctx))
    .register(DefaultBinder, (ctx) => newDefaultBinder(ctx.bind));
}

/** Upstream's default plugins in order, with default score weights. */
export const defaultPlugins: readonly PluginConfig[] = [
  { name: NodeUnschedulable },
  { name: NodeName },
  { name: TaintToleration, weight: 3 },
  { name: NodeAffinity, weight: 2 },
  { name: NodePorts },
  { name: NodeResourcesFit, weight: 1 },
  { name: VolumeBinding },
  { name: PodTopologySpread, weight: 2 },
  { name: InterPodAffinity, weight: 2 },
  { name: DefaultPreemption },
  { name: BalancedAllocation, weight: 1 },
  { name: ImageLocality, weight: 1 },
  { name: DefaultBinder },
];
