/** An IPv4 CIDR set: the cluster CIDR cut into equal per-node subnets, allocated lowest-free first. */

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`invalid IPv4 address "${ip}"`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses `a.b.c.d/len`; throws on malformed text. */
export function parseCidr(cidr: string): { base: number; prefix: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr.trim());
  if (m === null || Number(m[2]) > 32) {
    throw new Error(`invalid CIDR address: ${cidr}`);
  }
  const prefix = Number(m[2]);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (ipToInt(m[1]) & mask) >>> 0, prefix };
}

/** Per-node subnets of one cluster CIDR (upstream's cidrset). */
export class CidrSet {
  private readonly base: number;
  private readonly subnetPrefix: number;
  private readonly size: number;
  private readonly used = new Set<number>();

  constructor(clusterCidr: string, subnetPrefix: number) {
    const { base, prefix } = parseCidr(clusterCidr);
    if (subnetPrefix < prefix) {
      throw new Error(`node CIDR mask size ${subnetPrefix} is smaller than the cluster CIDR's ${prefix}`);
    }
    this.base = base;
    this.subnetPrefix = subnetPrefix;
    this.size = 2 ** (subnetPrefix - prefix);
  }

  private cidrAt(i: number): string {
    return `${intToIp((this.base + i * 2 ** (32 - this.subnetPrefix)) >>> 0)}/${this.subnetPrefix}`;
  }

  private indexOf(cidr: string): number | undefined {
    const { base, prefix } = parseCidr(cidr);
    if (prefix !== this.subnetPrefix) {
      return undefined;
    }
    const i = (base - this.base) / 2 ** (32 - this.subnetPrefix);
    return Number.isInteger(i) && i >= 0 && i < this.size ? i : undefined;
  }

  /** Marks an existing node's CIDR as taken; false if it is outside this set. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) {
      return false;
    }
    this.used.add(i);
    return true;
  }

  /** Frees a CIDR (its node is gone). */
  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) {
      this.used.delete(i);
    }
  }

  /** The lowest free subnet, now taken; undefined when the set is full. */
  allocateNext(): string | undefined {
    for (let i = 0; i < this.size; i++) {
      if (!this.used.has(i)) {
        this.used.add(i);
        return this.cidrAt(i);
      }
    }
    return undefined;
  }
}
