/**
 * Conversion between autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscalers, which upstream
 * stores once (as v2) and serves in both versions. v1 knows only a CPU utilization target; every
 * other metric, the current metrics, the conditions and the behavior ride in v1 annotations as
 * JSON (metrics in v1's own shapes), so that a v1 read-modify-write keeps them, as upstream's
 * conversion does.
 */
import type { KubeObject } from '../object.ts';
import { defaultHPA } from '../defaults/other.ts';

/** The annotations upstream's v1 conversion writes (k8s.io/kubernetes pkg/apis/autoscaling/annotations.go). */
export const HpaV1Annotations = {
  metrics: 'autoscaling.alpha.kubernetes.io/metrics',
  currentMetrics: 'autoscaling.alpha.kubernetes.io/current-metrics',
  conditions: 'autoscaling.alpha.kubernetes.io/conditions',
  behavior: 'autoscaling.alpha.kubernetes.io/behavior',
} as const;

type Obj = Record<string, unknown>;

const DEFAULT_CPU_UTILIZATION = 80;

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Obj : undefined;
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map((x) => obj(x) ?? {}) : [];
}

/** A copy of o without the keys whose value is undefined (Go's omitempty on pointers). */
function compact(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** A non-pointer resource.Quantity in v1: present even when zero. */
function quantity(v: unknown): unknown {
  return v ?? '0';
}

function isCpuUtilization(m: Obj): boolean {
  const resource = obj(m.resource);
  return m.type === 'Resource' && resource?.name === 'cpu' && obj(resource.target)?.averageUtilization !== undefined;
}

function metricSpecToV1(m: Obj): Obj {
  const out: Obj = { type: m.type };
  const object = obj(m.object);
  if (object !== undefined) {
    const target = obj(object.target) ?? {};
    const metric = obj(object.metric) ?? {};
    out.object = compact({ target: object.describedObject, metricName: metric.name ?? '', targetValue: quantity(target.value), selector: metric.selector, averageValue: target.averageValue });
  }
  const pods = obj(m.pods);
  if (pods !== undefined) {
    const metric = obj(pods.metric) ?? {};
    out.pods = compact({ metricName: metric.name ?? '', targetAverageValue: quantity(obj(pods.target)?.averageValue), selector: metric.selector });
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const r = obj(m[key]);
    if (r !== undefined) {
      const target = obj(r.target) ?? {};
      out[key] = compact({ name: r.name, targetAverageUtilization: target.averageUtilization, targetAverageValue: target.averageValue, container: r.container });
    }
  }
  const external = obj(m.external);
  if (external !== undefined) {
    const target = obj(external.target) ?? {};
    const metric = obj(external.metric) ?? {};
    out.external = compact({ metricName: metric.name ?? '', metricSelector: metric.selector, targetValue: target.value, targetAverageValue: target.averageValue });
  }
  return out;
}

function metricSpecFromV1(m: Obj): Obj {
  const out: Obj = { type: m.type };
  const object = obj(m.object);
  if (object !== undefined) {
    const average = object.averageValue;
    out.object = {
      describedObject: object.target,
      target: compact({ type: average === undefined ? 'Value' : 'AverageValue', value: quantity(object.targetValue), averageValue: average }),
      metric: compact({ name: object.metricName, selector: object.selector }),
    };
  }
  const pods = obj(m.pods);
  if (pods !== undefined) {
    out.pods = { metric: compact({ name: pods.metricName, selector: pods.selector }), target: { type: 'AverageValue', averageValue: quantity(pods.targetAverageValue) } };
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const r = obj(m[key]);
    if (r !== undefined) {
      const utilization = r.targetAverageUtilization;
      out[key] = compact({
        name: r.name,
        target: compact({ type: utilization === undefined ? 'AverageValue' : 'Utilization', averageValue: r.targetAverageValue, averageUtilization: utilization }),
        container: r.container,
      });
    }
  }
  const external = obj(m.external);
  if (external !== undefined) {
    const value = external.targetValue;
    out.external = {
      metric: compact({ name: external.metricName, selector: external.metricSelector }),
      target: compact({ type: value === undefined ? 'AverageValue' : 'Value', value, averageValue: external.targetAverageValue }),
    };
  }
  return out;
}

function metricStatusToV1(m: Obj): Obj {
  const out: Obj = { type: m.type };
  const object = obj(m.object);
  if (object !== undefined) {
    const current = obj(object.current) ?? {};
    const metric = obj(object.metric) ?? {};
    out.object = compact({ target: object.describedObject, metricName: metric.name ?? '', currentValue: quantity(current.value), selector: metric.selector, averageValue: current.averageValue });
  }
  const pods = obj(m.pods);
  if (pods !== undefined) {
    const metric = obj(pods.metric) ?? {};
    out.pods = compact({ metricName: metric.name ?? '', currentAverageValue: quantity(obj(pods.current)?.averageValue), selector: metric.selector });
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const r = obj(m[key]);
    if (r !== undefined) {
      const current = obj(r.current) ?? {};
      out[key] = compact({ name: r.name, currentAverageUtilization: current.averageUtilization, currentAverageValue: quantity(current.averageValue), container: r.container });
    }
  }
  const external = obj(m.external);
  if (external !== undefined) {
    const current = obj(external.current) ?? {};
    const metric = obj(external.metric) ?? {};
    out.external = compact({ metricName: metric.name ?? '', metricSelector: metric.selector, currentValue: quantity(current.value), currentAverageValue: current.averageValue });
  }
  return out;
}

function metricStatusFromV1(m: Obj): Obj {
  const out: Obj = { type: m.type };
  const object = obj(m.object);
  if (object !== undefined) {
    out.object = {
      metric: compact({ name: object.metricName, selector: object.selector }),
      current: compact({ value: quantity(object.currentValue), averageValue: object.averageValue }),
      describedObject: object.target,
    };
  }
  const pods = obj(m.pods);
  if (pods !== undefined) {
    out.pods = { metric: compact({ name: pods.metricName, selector: pods.selector }), current: { averageValue: quantity(pods.currentAverageValue) } };
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const r = obj(m[key]);
    if (r !== undefined) {
      out[key] = compact({ name: r.name, current: compact({ averageValue: quantity(r.currentAverageValue), averageUtilization: r.currentAverageUtilization }), container: r.container });
    }
  }
  const external = obj(m.external);
  if (external !== undefined) {
    out.external = {
      metric: compact({ name: external.metricName, selector: external.metricSelector }),
      current: compact({ value: quantity(external.currentValue), averageValue: external.currentAverageValue }),
    };
  }
  return out;
}

/**
 * The behavior as upstream writes its annotation: json.Marshal of the internal Go struct, which
 * has no json tags, so Go's field names, and nil pointers as null.
 */
function behaviorToGoJson(behavior: Obj): Obj {
  const rules = (r: Obj | undefined): Obj | null => r === undefined ? null : {
    StabilizationWindowSeconds: r.stabilizationWindowSeconds ?? null,
    SelectPolicy: r.selectPolicy ?? null,
    Policies: Array.isArray(r.policies) ? list(r.policies).map((p) => ({ Type: p.type ?? '', Value: p.value ?? 0, PeriodSeconds: p.periodSeconds ?? 0 })) : null,
    Tolerance: r.tolerance ?? null,
  };
  return { ScaleUp: rules(obj(behavior.scaleUp)), ScaleDown: rules(obj(behavior.scaleDown)) };
}

/** A key of Go-marshalled JSON, matched as encoding/json matches: exactly, else ignoring case. */
function goField(o: Obj, name: string): unknown {
  if (name in o) {
    return o[name];
  }
  const lower = name.toLowerCase();
  const key = Object.keys(o).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : o[key];
}

/** The behavior annotation back in v2's shape; undefined when it does not parse or says nothing. */
function behaviorFromGoJson(text: string): Obj | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const root = obj(parsed);
  if (root === undefined) {
    return undefined;
  }
  const rules = (raw: unknown): Obj | undefined => {
    const r = obj(raw);
    if (r === undefined) {
      return undefined;
    }
    const policies = goField(r, 'Policies');
    return compact({
      stabilizationWindowSeconds: goField(r, 'StabilizationWindowSeconds') ?? undefined,
      selectPolicy: goField(r, 'SelectPolicy') ?? undefined,
      policies: Array.isArray(policies) ? list(policies).map((p) => ({ type: goField(p, 'Type') ?? '', value: goField(p, 'Value') ?? 0, periodSeconds: goField(p, 'PeriodSeconds') ?? 0 })) : undefined,
      tolerance: goField(r, 'Tolerance') ?? undefined,
    });
  };
  const out = compact({ scaleUp: rules(goField(root, 'ScaleUp')), scaleDown: rules(goField(root, 'ScaleDown')) });
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The JSON array in an annotation, or undefined when absent or not an array of objects. */
function annotationList(annotations: Readonly<Record<string, string>>, key: string): Obj[] | undefined {
  const text = annotations[key];
  if (text === undefined) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? list(parsed) : undefined;
  } catch {
    return undefined;
  }
}

/** A stored autoscaling/v2 HPA as autoscaling/v1 serves it. */
export function hpaV2ToV1(hpa: KubeObject): KubeObject {
  const spec = obj(hpa.spec) ?? {};
  const status = obj(hpa.status);
  const metrics = list(spec.metrics);
  // The first CPU metric decides the v1 target (only when it is a utilization).
  const cpu = metrics.find((m) => m.type === 'Resource' && obj(m.resource)?.name === 'cpu');
  const annotations: Record<string, string> = { ...hpa.metadata?.annotations };
  for (const key of Object.values(HpaV1Annotations)) {
    delete annotations[key];
  }
  const others = metrics.filter((m) => !isCpuUtilization(m)).map(metricSpecToV1);
  const currentMetrics = list(status?.currentMetrics);
  const conditions = list(status?.conditions);
  if (others.length > 0) {
    annotations[HpaV1Annotations.metrics] = JSON.stringify(others);
  }
  if (currentMetrics.length > 0) {
    annotations[HpaV1Annotations.currentMetrics] = JSON.stringify(currentMetrics.map(metricStatusToV1));
  }
  const behavior = obj(spec.behavior);
  if (behavior !== undefined) {
    annotations[HpaV1Annotations.behavior] = JSON.stringify(behaviorToGoJson(behavior));
  }
  if (conditions.length > 0) {
    annotations[HpaV1Annotations.conditions] = JSON.stringify(conditions.map((c) => compact({ type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message })));
  }
  const metadata = { ...hpa.metadata };
  if (Object.keys(annotations).length > 0) {
    metadata.annotations = annotations;
  } else {
    delete metadata.annotations;
  }
  // The last CPU utilization among the current metrics wins, as upstream's loop has no break.
  const cpuCurrent = currentMetrics.filter((m) => m.type === 'Resource' && obj(m.resource)?.name === 'cpu' && obj(obj(m.resource)?.current)?.averageUtilization !== undefined).at(-1);
  const ref = obj(spec.scaleTargetRef) ?? {};
  return {
    apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata,
    spec: compact({
      scaleTargetRef: compact({ kind: ref.kind ?? '', name: ref.name ?? '', apiVersion: ref.apiVersion }), minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas ?? 0,
      targetCPUUtilizationPercentage: cpu === undefined ? undefined : obj(obj(cpu.resource)?.target)?.averageUtilization,
    }),
    // A struct, not a pointer, upstream: present even before the controller wrote one.
    status: compact({
      observedGeneration: status?.observedGeneration, lastScaleTime: status?.lastScaleTime,
      currentReplicas: status?.currentReplicas ?? 0, desiredReplicas: status?.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: cpuCurrent === undefined ? undefined : obj(obj(cpuCurrent.resource)?.current)?.averageUtilization,
    }),
  };
}

/** An autoscaling/v1 HPA in its stored autoscaling/v2 shape, with v2's defaults (as a v2 read shows it). */
export function hpaV1ToV2(hpa: KubeObject): KubeObject {
  const spec = obj(hpa.spec) ?? {};
  const status = obj(hpa.status);
  const annotations: Record<string, string> = { ...hpa.metadata?.annotations };
  // Each annotation that parses is taken back into the object; one that does not stays as it is.
  const taken = (key: string): Obj[] | undefined => {
    const found = annotationList(annotations, key);
    if (found !== undefined) {
      delete annotations[key];
    }
    return found;
  };
  const others = taken(HpaV1Annotations.metrics);
  const currentFromAnnotation = taken(HpaV1Annotations.currentMetrics);
  const conditions = taken(HpaV1Annotations.conditions);
  const behaviorText = annotations[HpaV1Annotations.behavior];
  const behavior = behaviorText === undefined ? undefined : behaviorFromGoJson(behaviorText);
  if (behavior !== undefined) {
    delete annotations[HpaV1Annotations.behavior];
  }
  const metrics: Obj[] = (others ?? []).map(metricSpecFromV1);
  const cpu = spec.targetCPUUtilizationPercentage;
  if (typeof cpu === 'number') {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } });
  }
  if (metrics.length === 0) {
    // v1 used to mean "80% CPU" by leaving the target out; v2 spells it out.
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } });
  }
  const metadata = { ...hpa.metadata };
  if (Object.keys(annotations).length > 0) {
    metadata.annotations = annotations;
  } else {
    delete metadata.annotations;
  }
  const out: KubeObject = {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata,
    spec: compact({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, metrics, behavior }),
  };
  if (status !== undefined) {
    const cpuCurrent = status.currentCPUUtilizationPercentage;
    const currentMetrics = currentFromAnnotation?.map(metricStatusFromV1)
      ?? (typeof cpuCurrent === 'number' ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cpuCurrent } } }] : undefined);
    out.status = compact({
      observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0, desiredReplicas: status.desiredReplicas ?? 0,
      currentMetrics, conditions,
    });
  }
  defaultHPA(out);
  return out;
}
