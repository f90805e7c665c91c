/** Defaults for autoscaling/v2, rbac/v1, networking/v1 and apiextensions/v1 kinds. */
import { ensureObj, objAt, objsAt, setDefault } from './util.ts';
import type { Obj } from './util.ts';

function hpaRules(rules: Obj | undefined, up: boolean): Obj {
  const r: Obj = rules ?? {};
  if (up) {
    setDefault(r, 'stabilizationWindowSeconds', 0);
    if (!Array.isArray(r.policies) || r.policies.length === 0) {
      r.policies = [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ];
    }
  } else if (!Array.isArray(r.policies) || r.policies.length === 0) {
    r.policies = [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  }
  setDefault(r, 'selectPolicy', 'Max');
  return r;
}

/** SetDefaults_HorizontalPodAutoscaler (autoscaling/v2). */
export function defaultHPA(hpa: Obj): void {
  const spec = ensureObj(hpa, 'spec');
  setDefault(spec, 'minReplicas', 1);
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  const behavior = objAt(spec, 'behavior');
  if (behavior !== undefined) {
    behavior.scaleUp = hpaRules(objAt(behavior, 'scaleUp'), true);
    behavior.scaleDown = hpaRules(objAt(behavior, 'scaleDown'), false);
  }
}

/** SetDefaults_HorizontalPodAutoscaler (autoscaling/v1). */
export function defaultHPAv1(hpa: Obj): void {
  const spec = ensureObj(hpa, 'spec');
  setDefault(spec, 'minReplicas', 1);
}

/** RoleBinding/ClusterRoleBinding: roleRef and subject apiGroups. */
export function defaultRoleBinding(rb: Obj): void {
  const roleRef = objAt(rb, 'roleRef');
  if (roleRef !== undefined) {
    setDefault(roleRef, 'apiGroup', 'rbac.authorization.k8s.io');
  }
  for (const s of objsAt(rb, 'subjects')) {
    if (s.apiGroup === undefined || s.apiGroup === '') {
      if (s.kind === 'ServiceAccount') {
        s.apiGroup = '';
      } else if (s.kind === 'User' || s.kind === 'Group') {
        s.apiGroup = 'rbac.authorization.k8s.io';
      }
    }
    if (s.kind === 'ServiceAccount' && s.apiGroup === '') {
      // The empty group is not serialized upstream (omitempty).
      delete s.apiGroup;
    }
  }
}

/** NetworkPolicy: port protocol TCP, policyTypes from the rules present. */
export function defaultNetworkPolicy(np: Obj): void {
  const spec = ensureObj(np, 'spec');
  for (const rule of [...objsAt(spec, 'ingress'), ...objsAt(spec, 'egress')]) {
    for (const port of objsAt(rule, 'ports')) {
      setDefault(port, 'protocol', 'TCP');
    }
  }
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    const types = ['Ingress'];
    if (Array.isArray(spec.egress) && spec.egress.length > 0) {
      types.push('Egress');
    }
    spec.policyTypes = types;
  }
}

/** CustomResourceDefinition (apiextensions/v1): singular, listKind, conversion None. */
export function defaultCRD(crd: Obj): void {
  const spec = ensureObj(crd, 'spec');
  const names = ensureObj(spec, 'names');
  if (typeof names.kind === 'string' && names.kind !== '') {
    setDefault(names, 'singular', names.kind.toLowerCase());
    setDefault(names, 'listKind', `${names.kind}List`);
  }
  const conversion = ensureObj(spec, 'conversion');
  setDefault(conversion, 'strategy', 'None');
  if (conversion.strategy === 'Webhook') {
    const webhook = objAt(conversion, 'webhook');
    const service = webhook === undefined ? undefined : objAt(objAt(webhook, 'clientConfig') ?? {}, 'service');
    if (service !== undefined) {
      setDefault(service, 'port', 443);
    }
  }
}

/** Ingress: pathType is required upstream (no default); IngressClass has none. Kept for symmetry. */
export function defaultIngress(_ing: Obj): void {}
