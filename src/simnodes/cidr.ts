/** IPv4 address and CIDR arithmetic on unsigned 32-bit numbers (all the simulator needs). */

/** An IPv4 network: `base` is the network address (host bits zero), `prefix` its length. */
export interface Ipv4Cidr {
  readonly base: number;
  readonly prefix: number;
}

/** Parses dotted-quad IPv4 text; undefined when it is not one. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) {
    return undefined;
  }
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) {
      return undefined;
    }
    n = n * 256 + Number(p);
  }
  return n;
}

/** Dotted-quad text of an unsigned 32-bit address. */
export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses `a.b.c.d/n` (host bits are cleared, as Go's ParseCIDR does); undefined for IPv6 or bad text. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) {
    return undefined;
  }
  const ip = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === undefined || !/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) {
    return undefined;
  }
  const prefix = Number(prefixText);
  return { base: (ip & mask(prefix)) >>> 0, prefix };
}

/** `a.b.c.d/n` text. */
export function formatCidr(c: Ipv4Cidr): string {
  return `${formatIpv4(c.base)}/${c.prefix}`;
}

/** Number of addresses in the network. */
export function cidrSize(c: Ipv4Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** True when `ip` (text or number) lies inside `c`. */
export function cidrContains(c: Ipv4Cidr, ip: string | number): boolean {
  const n = typeof ip === 'string' ? parseIpv4(ip) : ip;
  return n !== undefined && ((n & mask(c.prefix)) >>> 0) === c.base;
}

/** The `index`-th subnet of length `prefix` inside `c`, wrapping around when `c` has fewer. */
export function subnetAt(c: Ipv4Cidr, prefix: number, index: number): Ipv4Cidr {
  if (prefix < c.prefix) {
    throw new Error(`cannot carve /${prefix} subnets out of ${formatCidr(c)}`);
  }
  const count = 2 ** (prefix - c.prefix);
  return { base: (c.base + (index % count) * 2 ** (32 - prefix)) >>> 0, prefix };
}
