/**
 * One HorizontalPodAutoscaler reconcile without a metrics API, as upstream's controller behaves
 * when metrics-server is absent: the replica bounds are enforced (below minReplicas → min, above
 * maxReplicas → max), and within them nothing scales and ScalingActive is False because no
 * metric can be read. Conditions, reasons and messages are upstream's.
 */

/** The HPA fields the decision reads. */
export interface HpaView {
  readonly spec?: { readonly minReplicas?: number; readonly maxReplicas?: number; readonly metrics?: readonly { readonly type?: string; readonly resource?: { readonly name?: string } }[] };
}

/** A condition as the HPA status carries it (lastTransitionTime added by the controller). */
export interface HpaCondition {
  readonly type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

/** What the reconcile does: the replicas wanted, whether to rescale and why, the conditions and warnings. */
export interface HpaDecision {
  readonly desired: number;
  /** Set when the target's replicas must change (the SuccessfulRescale event's reason). */
  readonly rescaleReason?: string;
  readonly conditions: readonly HpaCondition[];
  /** Warning events (reason, message) for metrics that could not be read. */
  readonly warnings: readonly (readonly [string, string])[];
}

/** The metric the first failure names (upstream reads cpu when no metric is listed). */
function firstResource(hpa: HpaView): string {
  const m = hpa.spec?.metrics?.[0];
  return m === undefined ? 'cpu' : (m.resource?.name ?? m.type ?? 'cpu');
}

const noMetricsApi = (resource: string): string =>
  `failed to get ${resource} utilization: unable to get metrics for resource ${resource}: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)`;

/** Decides for one HPA given the target's scale (`spec.replicas`). */
export function decide(hpa: HpaView, currentReplicas: number): HpaDecision {
  const min = hpa.spec?.minReplicas ?? 1;
  const max = hpa.spec?.maxReplicas ?? min;
  const able = (reason: string, message: string): HpaCondition => ({ type: 'AbleToScale', status: 'True', reason, message });
  if (currentReplicas === 0 && min !== 0) {
    return {
      desired: 0,
      conditions: [
        able('SucceededGetScale', 'the HPA controller was able to get the target\'s current scale'),
        { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' },
      ],
      warnings: [],
    };
  }
  if (currentReplicas > max || currentReplicas < min) {
    const desired = currentReplicas > max ? max : min;
    const [reason, limited, message] = currentReplicas > max
      ? ['Current number of replicas above Spec.MaxReplicas', 'TooManyReplicas', 'the desired replica count is more than the maximum replica count']
      : ['Current number of replicas below Spec.MinReplicas', 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    return {
      desired,
      rescaleReason: reason,
      conditions: [
        able('SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`),
        { type: 'ScalingLimited', status: 'True', reason: limited, message },
      ],
      warnings: [],
    };
  }
  const failure = noMetricsApi(firstResource(hpa));
  return {
    desired: currentReplicas,
    conditions: [
      able('SucceededGetScale', 'the HPA controller was able to get the target\'s current scale'),
      { type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: `the HPA was unable to compute the replica count: ${failure}` },
    ],
    warnings: [
      ['FailedGetResourceMetric', failure],
      ['FailedComputeMetricsReplicas', `invalid metrics (1 invalid out of 1), first error is: failed to get ${firstResource(hpa)} resource metric value: ${failure}`],
    ],
  };
}
