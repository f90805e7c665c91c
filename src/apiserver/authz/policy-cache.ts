/**
 * The RBAC objects in memory, kept current by watching the apiserver's own registry (the
 * authorizer answers every request, so it must never read the store). ClusterRoles with an
 * aggregationRule are answered with the union of the ClusterRoles their selectors pick, so
 * CRD-installed `aggregate-to-*` roles count at once, without waiting for a controller.
 */
import type { KubeObject } from '../../api/object.ts';
import { labelSelectorFromMeta } from '../../api/selectors/index.ts';
import type { LabelSelectorMeta } from '../../api/selectors/index.ts';
import type { Registry, WatchEventType } from '../registry/types.ts';
import type { Binding, PolicySource, RoleRef, Subject } from './rbac.ts';
import type { PolicyRule } from './types.ts';
import { RegistryMirror } from './registry-mirror.ts';

interface StoredRole {
  readonly labels: Readonly<Record<string, string>>;
  readonly rules: readonly PolicyRule[];
  readonly aggregation: readonly LabelSelectorMeta[] | undefined;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';
type Kind = 'clusterroles' | 'roles' | 'clusterrolebindings' | 'rolebindings';
const KINDS: readonly Kind[] = ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'];

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

function asRules(v: unknown): PolicyRule[] {
  return Array.isArray(v) ? v.filter((r): r is PolicyRule => typeof r === 'object' && r !== null && Array.isArray((r as PolicyRule).verbs)) : [];
}

function toRole(o: KubeObject): StoredRole {
  const agg = (o as { aggregationRule?: { clusterRoleSelectors?: LabelSelectorMeta[] } }).aggregationRule;
  return { labels: o.metadata.labels ?? {}, rules: asRules((o as { rules?: unknown }).rules), aggregation: agg?.clusterRoleSelectors };
}

function toBinding(o: KubeObject): Binding | undefined {
  const b = o as { subjects?: Subject[]; roleRef?: RoleRef };
  if (b.roleRef === undefined) {
    return undefined;
  }
  return { name: o.metadata.name ?? '', namespace: o.metadata.namespace ?? '', subjects: Array.isArray(b.subjects) ? b.subjects : [], roleRef: b.roleRef };
}

/** PolicySource fed by watches on the four RBAC resources. */
export class PolicyCache implements PolicySource {
  readonly #clusterRoles = new Map<string, StoredRole>();
  readonly #roles = new Map<string, StoredRole>();
  readonly #clusterBindings = new Map<string, Binding>();
  /** namespace → name → binding */
  readonly #roleBindings = new Map<string, Map<string, Binding>>();
  readonly #mirror = new RegistryMirror();

  clusterRoleRules(name: string): readonly PolicyRule[] | undefined {
    return this.#clusterRoles.has(name) ? this.#aggregated(name, new Set()) : undefined;
  }

  /** A role's own rules plus, for aggregated roles, those of every role its selectors pick (recursively: admin ⊇ edit ⊇ view). */
  #aggregated(name: string, seen: Set<string>): PolicyRule[] {
    const role = this.#clusterRoles.get(name);
    seen.add(name);
    if (role === undefined) {
      return [];
    }
    const rules = [...role.rules];
    if (role.aggregation === undefined || role.aggregation.length === 0) {
      return rules;
    }
    const selectors = role.aggregation.map((s) => labelSelectorFromMeta(s));
    for (const [other, r] of this.#clusterRoles) {
      if (!seen.has(other) && selectors.some((s) => !s.empty && s.matches(r.labels))) {
        rules.push(...this.#aggregated(other, seen));
      }
    }
    return rules;
  }

  roleRules(namespace: string, name: string): readonly PolicyRule[] | undefined {
    return this.#roles.get(key(namespace, name))?.rules;
  }

  clusterRoleBindings(): Iterable<Binding> {
    return this.#clusterBindings.values();
  }

  roleBindings(namespace: string): Iterable<Binding> {
    return this.#roleBindings.get(namespace)?.values() ?? [];
  }

  #apply(kind: Kind, type: WatchEventType, o: KubeObject): void {
    const name = o.metadata.name ?? '';
    const ns = o.metadata.namespace ?? '';
    const remove = type === 'DELETED';
    switch (kind) {
      case 'clusterroles':
        if (remove) { this.#clusterRoles.delete(name); } else { this.#clusterRoles.set(name, toRole(o)); }
        return;
      case 'roles':
        if (remove) { this.#roles.delete(key(ns, name)); } else { this.#roles.set(key(ns, name), toRole(o)); }
        return;
      case 'clusterrolebindings': {
        const b = remove ? undefined : toBinding(o);
        if (b === undefined) { this.#clusterBindings.delete(name); } else { this.#clusterBindings.set(name, b); }
        return;
      }
      case 'rolebindings': {
        let inNs = this.#roleBindings.get(ns);
        if (inNs === undefined) {
          inNs = new Map();
          this.#roleBindings.set(ns, inNs);
        }
        const b = remove ? undefined : toBinding(o);
        if (b === undefined) { inNs.delete(name); } else { inNs.set(name, b); }
      }
    }
  }

  #reset(kind: Kind): void {
    ({ clusterroles: this.#clusterRoles, roles: this.#roles, clusterrolebindings: this.#clusterBindings, rolebindings: this.#roleBindings } as const)[kind].clear();
  }

  /** Loads everything and keeps it current; resolves once the initial lists are in. */
  async start(registry: Registry): Promise<void> {
    await Promise.all(KINDS.map((k) => this.#mirror.mirror(registry, RBAC_GROUP, 'v1', k, { reset: () => this.#reset(k), apply: (t, o) => this.#apply(k, t, o) })));
  }

  close(): void {
    this.#mirror.close();
  }
}
