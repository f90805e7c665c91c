/** The batch/v1 Job shapes the job controller reads and writes. */
import type { KubeObject } from '../../api/object.ts';
import type { PodTemplate } from '../history/pods.ts';

/** A Job condition as upstream writes it. */
export interface JobCondition {
  type: string;
  status: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** One podFailurePolicy rule. */
export interface PodFailurePolicyRule {
  action: 'FailJob' | 'Ignore' | 'Count' | 'FailIndex';
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

/** batch/v1 JobStatus. */
export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
}

/** batch/v1 Job. */
export interface Job extends KubeObject {
  spec?: {
    parallelism?: number;
    completions?: number | null;
    activeDeadlineSeconds?: number;
    backoffLimit?: number;
    completionMode?: 'NonIndexed' | 'Indexed';
    suspend?: boolean;
    ttlSecondsAfterFinished?: number;
    podFailurePolicy?: { rules: PodFailurePolicyRule[] };
    selector?: { matchLabels?: Record<string, string> };
    template?: PodTemplate;
  };
  status?: JobStatus;
}

/** The pod finalizer that makes sure every finished pod is counted before it goes away. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** Annotation and label carrying an indexed job pod's completion index. */
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

/** True when the job has a Complete or Failed condition that is True. */
export function isJobFinished(j: { readonly status?: { readonly conditions?: readonly JobCondition[] } }): boolean {
  return j.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') === true;
}

/** The finished condition type (Complete/Failed) and when it was reached, if any. */
export function finishedAt(j: { readonly status?: { readonly conditions?: readonly JobCondition[] } }): { type: string; time: string | undefined } | undefined {
  const c = j.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c === undefined ? undefined : { type: c.type, time: c.lastTransitionTime };
}
