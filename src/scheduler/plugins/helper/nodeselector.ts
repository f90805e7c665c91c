/** Node selector matching (upstream component-helpers nodeaffinity): terms are ORed, requirements ANDed. */
import type { NodeSelectorRequirement, NodeSelectorTerm, RNode, RPod } from '../../types.ts';
import type { DeepReadonly } from '../../../api/object.ts';

function parseInt64(s: string): number | undefined {
  return /^-?\d+$/.test(s) ? Number(s) : undefined;
}

/** True if `labels` satisfies one requirement. */
export function requirementMatches(req: DeepReadonly<NodeSelectorRequirement>, labels: Readonly<Record<string, string>>): boolean {
  const v = labels[req.key];
  const has = Object.hasOwn(labels, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(v);
    case 'NotIn':
      return !has || !values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1) {
        return false;
      }
      const a = parseInt64(v);
      const b = parseInt64(values[0]);
      if (a === undefined || b === undefined) {
        return false;
      }
      return req.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** True if the node matches the term (an empty term matches nothing, as upstream). */
export function termMatches(term: DeepReadonly<NodeSelectorTerm>, node: RNode): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) {
    return false;
  }
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) {
    if (!requirementMatches(r, labels)) {
      return false;
    }
  }
  for (const r of fields) {
    // Only metadata.name is a supported node field.
    if (r.key !== 'metadata.name' || !requirementMatches(r, { 'metadata.name': node.metadata.name ?? '' })) {
      return false;
    }
  }
  return true;
}

/** True if any term matches. */
export function termsMatch(terms: readonly DeepReadonly<NodeSelectorTerm>[], node: RNode): boolean {
  for (const t of terms) {
    if (termMatches(t, node)) {
      return true;
    }
  }
  return false;
}

/** The pod's nodeSelector and required node affinity both hold on this node. */
export function podMatchesNodeSelectorAndAffinity(pod: RPod, node: RNode): boolean {
  const sel = pod.spec.nodeSelector;
  if (sel !== undefined) {
    const labels = node.metadata.labels ?? {};
    for (const k of Object.keys(sel)) {
      if (labels[k] !== sel[k]) {
        return false;
      }
    }
  }
  const req = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req !== undefined && req !== null) {
    return termsMatch(req.nodeSelectorTerms, node);
  }
  return true;
}
