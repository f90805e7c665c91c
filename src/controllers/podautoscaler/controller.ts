/**
 * The horizontal pod autoscaler controller (upstream's `horizontal-pod-autoscaler-controller`):
 * every HPA is reconciled every --horizontal-pod-autoscaler-sync-period (15 s) and on change.
 * Outside [minReplicas, maxReplicas] the target is brought back within (decide.ts); within them
 * Resource and ContainerResource metrics are read from metrics.k8s.io (metrics.ts), turned into
 * a replica count (replicas.ts), stabilized and rate-limited (normalize.ts), and the target's
 * scale set. Without a metrics API the HPA says it cannot compute a count, as upstream does
 * without metrics-server; Pods, Object and External metrics need a custom metrics API k8ts
 * does not serve.
 */
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { EventType, WorkQueue } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { enqueueHandler, keyOf, runQueue } from '../manager/kit.ts';
import { parseGoDuration } from '../manager/options.ts';
import { rfc3339Now } from '../../api/time.ts';
import { parseLabelSelector } from '../../api/selectors/labels.ts';
import { decide } from './decide.ts';
import type { HpaCondition, HpaView } from './decide.ts';
import { computeMetricReplicas } from './evaluate.ts';
import type { MetricSpec } from './evaluate.ts';
import { normalize, recordRescale } from './normalize.ts';
import type { Behavior, ScaleHistory } from './normalize.ts';
import type { PodView } from './replicas.ts';
import { R } from '../manager/kit.ts';

/** Upstream's registration name. */
export const Name = 'horizontal-pod-autoscaler-controller';

const HPAS = { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' } as const;

/** Scale targets the controller knows by kind (the built-in workloads with a scale subresource). */
const scaleTargets: Readonly<Record<string, string>> = {
  'apps/Deployment': 'deployments',
  'apps/ReplicaSet': 'replicasets',
  'apps/StatefulSet': 'statefulsets',
  '/ReplicationController': 'replicationcontrollers',
};

interface Hpa extends KubeObject, HpaView {
  spec?: HpaView['spec'] & { scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string }; metrics?: readonly MetricSpec[]; behavior?: Behavior };
  status?: { lastScaleTime?: string; conditions?: (HpaCondition & { lastTransitionTime?: string })[] };
}

interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

type Pod = KubeObject & PodView;

/** The group/version/resource of a scaleTargetRef, or undefined for a kind without a known scale. */
function targetOf(ref: { apiVersion?: string; kind?: string } | undefined): { group: string; version: string; resource: string } | undefined {
  const [group, version] = (ref?.apiVersion ?? '').includes('/') ? (ref?.apiVersion ?? '').split('/') : ['', ref?.apiVersion ?? ''];
  const resource = scaleTargets[`${group}/${ref?.kind ?? ''}`];
  return resource === undefined || version === '' ? undefined : { group, version, resource };
}

/** Factory for the registration table; the period is --horizontal-pod-autoscaler-sync-period. */
export function podAutoscalerControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'horizontalpodautoscaler' });
  const hpas = ctx.informers.informerFor<Hpa>(HPAS);
  hpas.addEventHandler(enqueueHandler(queue));
  const pods = ctx.informers.informerFor<Pod>(R.pods);
  // Per HPA: past recommendations (stabilization) and rescales (behavior policies), as upstream keeps them in memory.
  const histories = new Map<string, ScaleHistory>();
  const recorder = ctx.recorder(Name);
  const periodMs = parseGoDuration(String(ctx.options.flags['horizontal-pod-autoscaler-sync-period'] ?? '15s'));

  const writeStatus = async (hpa: DeepReadonly<Hpa>, status: Record<string, unknown>): Promise<void> => {
    const old = (hpa.status ?? {}) as Hpa['status'] & Record<string, unknown>;
    const now = rfc3339Now();
    const conditions = ((status.conditions ?? []) as HpaCondition[]).map((c) => {
      const before = old?.conditions?.find((o) => o.type === c.type);
      return { ...c, lastTransitionTime: before !== undefined && before.status === c.status ? before.lastTransitionTime : now };
    });
    const next = { ...status, conditions };
    if (JSON.stringify(next) === JSON.stringify(old)) {
      return;
    }
    try {
      await ctx.client.subresource('PUT', { ...HPAS, namespace: hpa.metadata.namespace, name: hpa.metadata.name ?? '', subresource: 'status' }, { ...structuredClone(hpa as Hpa), status: next });
    } catch (e) {
      if (!isConflict(e) && !isNotFound(e)) {
        throw e;
      }
    }
  };

  const reconcile = async (hpa: DeepReadonly<Hpa>): Promise<void> => {
    const namespace = hpa.metadata.namespace ?? '';
    const ref = hpa.spec?.scaleTargetRef;
    const target = targetOf(ref);
    const base = { observedGeneration: hpa.metadata.generation, lastScaleTime: hpa.status?.lastScaleTime };
    const scaleRef = target === undefined ? undefined : { ...target, namespace, name: ref?.name ?? '', subresource: 'scale' };
    let scale: Scale | undefined;
    let failure = target === undefined ? `no matches for kind "${ref?.kind ?? ''}" in group "${(ref?.apiVersion ?? '').split('/')[0] ?? ''}"` : undefined;
    if (scaleRef !== undefined) {
      scale = await ctx.client.get<Scale>(scaleRef).catch((e: unknown) => {
        failure = (e as Error).message;
        return undefined;
      });
    }
    if (scale === undefined || scaleRef === undefined) {
      const message = `the HPA controller was unable to get the target's current scale: ${failure ?? ''}`;
      recorder.event(hpa as KubeObject, EventType.Warning, 'FailedGetScale', failure ?? '');
      await writeStatus(hpa, { ...base, currentReplicas: 0, desiredReplicas: 0, conditions: [{ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message }] });
      return;
    }
    const current = scale.spec?.replicas ?? 0;
    const min = hpa.spec?.minReplicas ?? 1;
    const max = hpa.spec?.maxReplicas ?? min;
    let d = decide(hpa, current);
    let currentMetrics: unknown[] | undefined;
    const withinBounds = !(current === 0 && min !== 0) && current >= min && current <= max;
    if (withinBounds) {
      const nowMs = Date.now();
      const selector = scale.status?.selector;
      const selected = selector === undefined || selector === '' ? undefined : parseLabelSelector(selector);
      const podsOf = selected === undefined ? [] : pods.lister.list(namespace).filter((p) => selected.matches(p.metadata.labels));
      const computed = selected === undefined
        ? { kind: 'noSelector' as const }
        : await computeMetricReplicas({ client: ctx.client, namespace, selector: selector ?? '', metrics: hpa.spec?.metrics ?? [], pods: podsOf as readonly PodView[], currentReplicas: current, nowMs });
      if (computed.kind === 'noSelector') {
        d = {
          desired: current, warnings: [['SelectorRequired', 'selector is required']],
          conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: 'the HPA controller was able to get the target\'s current scale' }, { type: 'ScalingActive', status: 'False', reason: 'InvalidSelector', message: 'the HPA target\'s scale is missing a selector' }],
        };
      } else if (computed.kind === 'failed') {
        d = {
          desired: current, warnings: computed.warnings,
          conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: 'the HPA controller was able to get the target\'s current scale' }, computed.scalingActive],
        };
        currentMetrics = computed.statuses;
      } else if (computed.kind === 'computed') {
        const key = keyOf(hpa as KubeObject);
        const history = histories.get(key) ?? { recommendations: [], events: [] };
        histories.set(key, history);
        const n = normalize({ history, behavior: hpa.spec?.behavior, current, recommended: computed.replicas, min, max, nowMs });
        const rescale = n.replicas !== current;
        d = {
          desired: n.replicas,
          rescaleReason: rescale ? (n.replicas > current ? `${computed.metricName} above target` : 'All metrics below target') : undefined,
          conditions: [
            rescale ? { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${n.replicas}` } : n.ableToScale,
            { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${computed.metricName}` },
            n.scalingLimited,
          ],
          warnings: computed.warnings,
        };
        if (rescale) {
          recordRescale(history, n.replicas - current, nowMs, hpa.spec?.behavior);
        }
        currentMetrics = computed.statuses;
      }
      // kind 'noApi': decide()'s answer, as upstream without metrics-server.
    }
    let lastScaleTime = base.lastScaleTime;
    if (d.rescaleReason !== undefined) {
      await ctx.client.update(scaleRef, { ...scale, spec: { ...scale.spec, replicas: d.desired } });
      recorder.event(hpa as KubeObject, EventType.Normal, 'SuccessfulRescale', `New size: ${d.desired}; reason: ${d.rescaleReason}`);
      lastScaleTime = rfc3339Now();
    }
    for (const [reason, message] of d.warnings) {
      recorder.event(hpa as KubeObject, EventType.Warning, reason, message);
    }
    await writeStatus(hpa, { ...base, lastScaleTime, currentReplicas: scale.status?.replicas ?? 0, desiredReplicas: d.desired, ...(currentMetrics === undefined || currentMetrics.length === 0 ? {} : { currentMetrics }), conditions: d.conditions });
  };

  const sync = async (key: string): Promise<void> => {
    const [namespace = '', name = ''] = key.split('/');
    const hpa = hpas.lister.get(namespace, name);
    if (hpa === undefined) {
      histories.delete(key);
      return;
    }
    try {
      await reconcile(hpa);
    } finally {
      // Reconciled every period as upstream, whatever happened this time.
      queue.addAfter(keyOf(hpa), periodMs);
    }
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([hpas.waitForSync(signal), pods.waitForSync(signal)]);
      await runQueue(queue, workers, signal, sync, ctx.logger);
    },
  };
}
