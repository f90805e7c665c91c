/**
 * From a metrics recommendation to the replicas an HPA sets, as upstream's controller does it
 * (horizontal.go normalizeDesiredReplicas / ...WithBehaviors): recommendations are stabilized
 * over a window (by default the highest of the last 5 minutes when scaling down), the change is
 * rate-limited (without a behavior: at most max(2×current, 4); with one: its policies over
 * their periods), and the result is clamped to [minReplicas, maxReplicas]. The conditions say
 * which of these applied, with upstream's reasons and messages.
 */
import type { HpaCondition } from './decide.ts';

/** One HPAScalingRules of spec.behavior (defaults already applied by the apiserver). */
export interface ScalingRules {
  readonly stabilizationWindowSeconds?: number;
  readonly selectPolicy?: string;
  readonly policies?: readonly { readonly type: string; readonly value: number; readonly periodSeconds: number }[];
}

/** spec.behavior. */
export interface Behavior {
  readonly scaleUp?: ScalingRules;
  readonly scaleDown?: ScalingRules;
}

/** What a past reconcile recommended, and what past rescales changed. */
export interface ScaleHistory {
  recommendations: { replicas: number; atMs: number }[];
  events: { change: number; atMs: number }[];
}

/** The replicas to set and the AbleToScale / ScalingLimited conditions that explain them. */
export interface Normalized {
  readonly replicas: number;
  readonly ableToScale: HpaCondition;
  readonly scalingLimited: HpaCondition;
}

/** --horizontal-pod-autoscaler-downscale-stabilization (5m). */
export const DOWNSCALE_STABILIZATION_MS = 5 * 60_000;

const able = (reason: string, message: string): HpaCondition => ({ type: 'AbleToScale', status: 'True', reason, message });
const limited = (status: 'True' | 'False', reason: string, message: string): HpaCondition => ({ type: 'ScalingLimited', status, reason, message });
const withinRange = limited('False', 'DesiredWithinRange', 'the desired count is within the acceptable range');
const readyForNewScale = able('ReadyForNewScale', 'recommended size matches current size');

/** Stabilization without a behavior: the highest recommendation of the window (scale-down only). */
function stabilize(history: ScaleHistory, recommended: number, nowMs: number): { replicas: number; condition: HpaCondition } {
  let replicas = recommended;
  for (const r of history.recommendations) {
    if (r.atMs > nowMs - DOWNSCALE_STABILIZATION_MS && r.replicas > replicas) {
      replicas = r.replicas;
    }
  }
  return {
    replicas,
    condition: replicas !== recommended ? able('ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation') : readyForNewScale,
  };
}

/** Stabilization with a behavior: within each direction's window, the least extreme recommendation. */
function stabilizeWithBehavior(history: ScaleHistory, behavior: Behavior, current: number, recommended: number, nowMs: number): { replicas: number; condition: HpaCondition } {
  const upWindowMs = (behavior.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000;
  const downWindowMs = (behavior.scaleDown?.stabilizationWindowSeconds ?? DOWNSCALE_STABILIZATION_MS / 1000) * 1000;
  let up = recommended;
  let down = recommended;
  for (const r of history.recommendations) {
    if (r.atMs > nowMs - upWindowMs) {
      up = Math.min(up, r.replicas);
    }
    if (r.atMs > nowMs - downWindowMs) {
      down = Math.max(down, r.replicas);
    }
  }
  let replicas = current;
  if (replicas < up) {
    replicas = up;
  }
  if (replicas > down) {
    replicas = down;
  }
  if (replicas === recommended) {
    return { replicas, condition: readyForNewScale };
  }
  return replicas < recommended
    ? { replicas, condition: able('ScaleUpStabilized', 'recent recommendations were lower than current one, applying the lowest recent recommendation') }
    : { replicas, condition: able('ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation') };
}

/** Replicas added (positive) or removed (negative, as a positive count) within the last period. */
function changedWithin(history: ScaleHistory, periodSeconds: number, nowMs: number, sign: 1 | -1): number {
  let sum = 0;
  for (const e of history.events) {
    if (e.atMs > nowMs - periodSeconds * 1000 && Math.sign(e.change) === sign) {
      sum += Math.abs(e.change);
    }
  }
  return sum;
}

function scaleUpLimit(history: ScaleHistory, rules: ScalingRules | undefined, current: number, nowMs: number): number {
  if (rules?.selectPolicy === 'Disabled') {
    return current;
  }
  const proposals = (rules?.policies ?? []).map((p) => {
    const start = current - changedWithin(history, p.periodSeconds, nowMs, 1);
    return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
  });
  if (proposals.length === 0) {
    return Number.MAX_SAFE_INTEGER;
  }
  return rules?.selectPolicy === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
}

function scaleDownLimit(history: ScaleHistory, rules: ScalingRules | undefined, current: number, nowMs: number): number {
  if (rules?.selectPolicy === 'Disabled') {
    return current;
  }
  const proposals = (rules?.policies ?? []).map((p) => {
    const start = current + changedWithin(history, p.periodSeconds, nowMs, -1);
    return p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
  });
  if (proposals.length === 0) {
    return Number.MIN_SAFE_INTEGER;
  }
  // "Max" means the policy allowing the biggest change: the lowest floor.
  return rules?.selectPolicy === 'Min' ? Math.max(...proposals) : Math.min(...proposals);
}

/** Clamps desired between the rate limits and [min, max], naming what limited it. */
function clamp(desired: number, current: number, min: number, max: number, upLimit: number, downLimit: number): { replicas: number; condition: HpaCondition } {
  if (desired > current) {
    const allowed = Math.min(max, Math.max(upLimit, current));
    if (desired > allowed) {
      return allowed === max && max <= upLimit
        ? { replicas: max, condition: limited('True', 'TooManyReplicas', 'the desired replica count is more than the maximum replica count') }
        : { replicas: allowed, condition: limited('True', 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate') };
    }
  } else if (desired < current) {
    const allowed = Math.max(min, Math.min(downLimit, current));
    if (desired < allowed) {
      return allowed === min && min >= downLimit
        ? { replicas: min, condition: limited('True', 'TooFewReplicas', 'the desired replica count is less than the minimum replica count') }
        : { replicas: allowed, condition: limited('True', 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate') };
    }
  }
  if (desired < min) {
    return { replicas: min, condition: limited('True', 'TooFewReplicas', 'the desired replica count is less than the minimum replica count') };
  }
  if (desired > max) {
    return { replicas: max, condition: limited('True', 'TooManyReplicas', 'the desired replica count is more than the maximum replica count') };
  }
  return { replicas: desired, condition: withinRange };
}

/** The replicas to set for a recommendation; records the recommendation in history. */
export function normalize(input: {
  readonly history: ScaleHistory;
  readonly behavior: Behavior | undefined;
  readonly current: number;
  readonly recommended: number;
  readonly min: number;
  readonly max: number;
  readonly nowMs: number;
}): Normalized {
  const { history, behavior, current, recommended, min, max, nowMs } = input;
  const stabilized = behavior === undefined ? stabilize(history, recommended, nowMs) : stabilizeWithBehavior(history, behavior, current, recommended, nowMs);
  const keepMs = Math.max(DOWNSCALE_STABILIZATION_MS, (behavior?.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000, (behavior?.scaleDown?.stabilizationWindowSeconds ?? 0) * 1000);
  history.recommendations = history.recommendations.filter((r) => r.atMs > nowMs - keepMs);
  history.recommendations.push({ replicas: recommended, atMs: nowMs });
  const upLimit = behavior === undefined ? Math.max(2 * current, 4) : scaleUpLimit(history, behavior.scaleUp, current, nowMs);
  const downLimit = behavior === undefined ? Number.MIN_SAFE_INTEGER : scaleDownLimit(history, behavior.scaleDown, current, nowMs);
  const clamped = clamp(stabilized.replicas, current, min, max, upLimit, downLimit);
  return { replicas: clamped.replicas, ableToScale: stabilized.condition, scalingLimited: clamped.condition };
}

/** Records a rescale (for the behavior policies' periods), dropping events older than any period. */
export function recordRescale(history: ScaleHistory, change: number, nowMs: number, behavior: Behavior | undefined): void {
  const periods = [...(behavior?.scaleUp?.policies ?? []), ...(behavior?.scaleDown?.policies ?? [])].map((p) => p.periodSeconds);
  const keepMs = Math.max(0, ...periods) * 1000;
  history.events = history.events.filter((e) => e.atMs > nowMs - keepMs);
  history.events.push({ change, atMs: nowMs });
}
