/**
 * Pod IPs for simulated nodes: each node hands out addresses from its spec.podCIDR (set by the
 * node IPAM controller) or, while it has none, from a per-node /24 carved out of the fleet's
 * fallback range. Allocation is host-local style: next free address after the last one given,
 * skipping the network, gateway (.1) and broadcast addresses.
 */
import { cidrContains, cidrSize, formatCidr, formatIpv4, parseCidr, parseIpv4, subnetAt } from './cidr.ts';
import type { Ipv4Cidr } from './cidr.ts';

/** Free/used addresses of one CIDR. */
class RangeAllocator {
  readonly cidr: Ipv4Cidr;
  private readonly used = new Set<number>();
  private cursor: number;
  private readonly first: number;
  private readonly last: number;

  constructor(cidr: Ipv4Cidr) {
    this.cidr = cidr;
    const size = cidrSize(cidr);
    // Small networks have no room for network/gateway/broadcast conventions.
    this.first = size >= 4 ? cidr.base + 2 : cidr.base;
    this.last = size >= 4 ? cidr.base + size - 2 : cidr.base + size - 1;
    this.cursor = this.first;
  }

  allocate(): number | undefined {
    const span = this.last - this.first + 1;
    for (let i = 0; i < span; i++) {
      const ip = this.first + ((this.cursor - this.first + i) % span);
      if (!this.used.has(ip)) {
        this.used.add(ip);
        this.cursor = ip + 1 > this.last ? this.first : ip + 1;
        return ip;
      }
    }
    return undefined;
  }

  reserve(ip: number): void {
    this.used.add(ip);
  }

  release(ip: number): void {
    this.used.delete(ip);
  }
}

/** The CIDR a node's pods draw from and whether it is the node's own (spec.podCIDR). */
export interface PodRange {
  readonly cidr: string;
  readonly fromNodeSpec: boolean;
}

/** Pod IP bookkeeping for a whole fleet, keyed by pod (namespace/name) key. */
export class PodIpam {
  private readonly fallback: Ipv4Cidr;
  private readonly ranges = new Map<string, RangeAllocator>();
  private readonly owners = new Map<string, { readonly range: RangeAllocator; readonly ip: number }>();

  constructor(fallbackCidr: string) {
    const c = parseCidr(fallbackCidr);
    if (c === undefined || c.prefix > 24) {
      throw new Error(`fallback pod CIDR "${fallbackCidr}" must be an IPv4 network of /24 or larger`);
    }
    this.fallback = c;
  }

  /** The range for a node: its IPv4 spec.podCIDR (first of podCIDRs) if any, else the fallback /24 at `nodeIndex`. */
  rangeFor(nodeIndex: number, podCidrs: readonly string[]): PodRange {
    for (const text of podCidrs) {
      if (parseCidr(text) !== undefined) {
        return { cidr: text, fromNodeSpec: true };
      }
    }
    return { cidr: formatCidr(subnetAt(this.fallback, 24, nodeIndex)), fromNodeSpec: false };
  }

  private allocatorFor(cidrText: string): RangeAllocator {
    const c = parseCidr(cidrText);
    if (c === undefined) {
      throw new Error(`not an IPv4 CIDR: ${cidrText}`);
    }
    const key = formatCidr(c);
    let a = this.ranges.get(key);
    if (a === undefined) {
      a = new RangeAllocator(c);
      this.ranges.set(key, a);
    }
    return a;
  }

  /** The pod's IP: the one it already holds, or a new one from `cidr`; undefined when the range is full. */
  assign(podKey: string, cidr: string): string | undefined {
    const held = this.owners.get(podKey);
    if (held !== undefined) {
      return formatIpv4(held.ip);
    }
    const range = this.allocatorFor(cidr);
    const ip = range.allocate();
    if (ip === undefined) {
      return undefined;
    }
    this.owners.set(podKey, { range, ip });
    return formatIpv4(ip);
  }

  /** Records an IP a pod already reports (after a restart of this process); false if it is outside `cidr`. */
  reserve(podKey: string, cidr: string, ip: string): boolean {
    const n = parseIpv4(ip);
    const range = this.allocatorFor(cidr);
    if (n === undefined || !cidrContains(range.cidr, n)) {
      return false;
    }
    this.release(podKey);
    range.reserve(n);
    this.owners.set(podKey, { range, ip: n });
    return true;
  }

  /** Gives the pod's address back (no-op when it holds none). */
  release(podKey: string): void {
    const held = this.owners.get(podKey);
    if (held !== undefined) {
      held.range.release(held.ip);
      this.owners.delete(podKey);
    }
  }

  /** The IP a pod holds, if any. */
  ipOf(podKey: string): string | undefined {
    const held = this.owners.get(podKey);
    return held === undefined ? undefined : formatIpv4(held.ip);
  }

  /** Number of pods holding an address. */
  get size(): number {
    return this.owners.size;
  }
}
