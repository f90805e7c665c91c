/**
 * The garbage collector's dependency graph: every object seen by any informer, keyed by uid,
 * with its owner references and the reverse index owner uid → dependent uids. Pure data; the
 * collector decides what to do with it.
 */
import type { OwnerReference } from '../../api/object.ts';

/** Where an object lives: enough to GET, PUT or DELETE it. */
export interface ObjectIdentity {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** One object in the graph. */
export interface GraphNode {
  readonly id: ObjectIdentity;
  readonly owners: readonly OwnerReference[];
  readonly deleting: boolean;
  readonly finalizers: readonly string[];
}

/** What changed when an object was recorded, so the collector knows what to enqueue. */
export interface GraphChange {
  readonly node: GraphNode;
  /** Owner uids the object no longer references. */
  readonly removedOwners: readonly string[];
}

/** uid-keyed nodes plus the owner → dependents index. */
export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependentsOf = new Map<string, Set<string>>();

  /** The node for `uid`, if seen. */
  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** Uids of objects that list `uid` among their owners (present in the graph). */
  dependents(uid: string): string[] {
    return [...(this.dependentsOf.get(uid) ?? [])];
  }

  /** Records (or replaces) a node. */
  upsert(node: GraphNode): GraphChange {
    const old = this.nodes.get(node.id.uid);
    const newOwners = new Set(node.owners.map((o) => o.uid));
    const removedOwners = (old?.owners ?? []).map((o) => o.uid).filter((u) => !newOwners.has(u));
    for (const u of removedOwners) {
      this.unlink(u, node.id.uid);
    }
    for (const u of newOwners) {
      let set = this.dependentsOf.get(u);
      if (set === undefined) {
        set = new Set();
        this.dependentsOf.set(u, set);
      }
      set.add(node.id.uid);
    }
    this.nodes.set(node.id.uid, node);
    return { node, removedOwners };
  }

  /** Forgets a node; returns it (undefined if unknown). Its dependents stay indexed under its uid. */
  remove(uid: string): GraphNode | undefined {
    const old = this.nodes.get(uid);
    if (old === undefined) {
      return undefined;
    }
    for (const o of old.owners) {
      this.unlink(o.uid, uid);
    }
    this.nodes.delete(uid);
    return old;
  }

  private unlink(owner: string, dependent: string): void {
    const set = this.dependentsOf.get(owner);
    set?.delete(dependent);
    if (set?.size === 0) {
      this.dependentsOf.delete(owner);
    }
  }
}
