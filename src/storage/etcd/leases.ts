/**
 * TTLs on etcd keys, as upstream's etcd3 lease manager does them: a key with a TTL is put
 * with an etcd lease, and one lease is shared by every write with the same TTL for a short
 * reuse window (5% of the TTL, at most a minute) — granted that much longer, so no key
 * expires before its TTL — instead of granting a lease per write.
 */
import type { Etcd3 } from 'etcd3';

const reuseFraction = 0.05;
const maxReuseSeconds = 60;

interface Shared {
  readonly id: Promise<string>;
  /** Until when (ms since the epoch) writes may attach to this lease. */
  readonly reusableUntil: number;
}

/** Hands out lease ids for TTLs; one instance per client. */
export class LeaseManager {
  readonly #client: Etcd3;
  readonly #byTtl = new Map<number, Shared>();

  constructor(client: Etcd3) {
    this.#client = client;
  }

  /** A lease id under which a key lives at least `ttlSeconds` from now. */
  leaseFor(ttlSeconds: number): Promise<string> {
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    const now = Date.now();
    const shared = this.#byTtl.get(ttl);
    if (shared !== undefined && now < shared.reusableUntil) {
      return shared.id;
    }
    const reuse = Math.min(maxReuseSeconds, Math.floor(ttl * reuseFraction));
    const id = this.#client.leaseClient.leaseGrant({ TTL: ttl + reuse }).then((res) => res.ID);
    this.#byTtl.set(ttl, { id, reusableUntil: now + reuse * 1000 });
    // A failed grant must not be handed to later writes.
    id.catch(() => this.#byTtl.delete(ttl));
    return id;
  }
}
