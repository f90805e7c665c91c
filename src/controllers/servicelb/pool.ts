/**
 * Address bookkeeping of the built-in service load balancer, shared by the controller that hands
 * addresses out (service-lb-controller) and the agents that announce them: parsing a pool, which
 * Services the built-in LB serves, and the deterministic allocation of free pool addresses.
 */
import { ipToInt } from '../../proxy/nft.ts';

/** The fields of a Service the service LB reads. */
export interface LbService {
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly resourceVersion?: string };
  readonly spec?: { readonly type?: string; readonly loadBalancerIP?: string; readonly loadBalancerClass?: string };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string }[] } };
}

/** An address handed to a Service. */
export interface Assignment {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion?: string;
  readonly ip: string;
}

const MAX_POOL = 65_536;

function toInt(ip: string): number {
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(ip) || ip.split('.').some((n) => Number(n) > 255)) {
    throw new Error(`invalid IPv4 address "${ip}"`);
  }
  return ipToInt(ip);
}

function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses a pool: comma-separated CIDRs (`192.168.1.240/28`) and ranges (`192.168.1.240-192.168.1.250`), in order. */
export function parsePool(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    let first: number;
    let last: number;
    if (part.includes('-')) {
      const [a = '', b = ''] = part.split('-');
      first = toInt(a.trim());
      last = toInt(b.trim());
    } else {
      const [base = '', bitsText = '32'] = part.split('/');
      const bits = Number(bitsText);
      if (!Number.isInteger(bits) || bits < 0 || bits > 32) {
        throw new Error(`invalid pool CIDR "${part}"`);
      }
      const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
      first = (toInt(base) & mask) >>> 0;
      last = (first | (~mask >>> 0)) >>> 0;
    }
    if (last < first || last - first + 1 + out.length > MAX_POOL) {
      throw new Error(`invalid or too large pool "${part}"`);
    }
    for (let n = first; n <= last; n++) {
      out.push(toIp(n));
    }
  }
  return out;
}

const keyOf = (s: LbService): string => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`;

/** Whether the built-in load balancer serves this Service (type LoadBalancer, no other loadBalancerClass). */
export function wantsAddress(s: LbService): boolean {
  return s.spec?.type === 'LoadBalancer' && (s.spec.loadBalancerClass ?? '') === '';
}

/** The pool address a Service already holds, if any. */
export function heldAddress(s: LbService, pool: ReadonlySet<string>): string | undefined {
  return s.status?.loadBalancer?.ingress?.find((i) => i.ip !== undefined && pool.has(i.ip))?.ip;
}

/**
 * The addresses to hand out now: each LoadBalancer Service without one gets its
 * spec.loadBalancerIP (if in the pool and free) or the lowest free address. Deterministic.
 */
export function allocate(services: Iterable<LbService>, pool: readonly string[]): Assignment[] {
  const poolSet = new Set(pool);
  const used = new Set<string>();
  const pending: LbService[] = [];
  for (const s of services) {
    const held = heldAddress(s, poolSet);
    if (held !== undefined) {
      used.add(held);
    } else if (wantsAddress(s)) {
      pending.push(s);
    }
  }
  pending.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const out: Assignment[] = [];
  let next = 0;
  for (const s of pending) {
    let ip: string | undefined;
    const asked = s.spec?.loadBalancerIP ?? '';
    if (asked !== '') {
      ip = poolSet.has(asked) && !used.has(asked) ? asked : undefined;
    } else {
      while (next < pool.length && used.has(pool[next] ?? '')) {
        next++;
      }
      ip = pool[next];
    }
    if (ip === undefined) {
      continue; // pool exhausted (or the asked-for address is taken): stays <pending>, as upstream.
    }
    used.add(ip);
    out.push({ namespace: s.metadata.namespace ?? '', name: s.metadata.name ?? '', resourceVersion: s.metadata.resourceVersion, ip });
  }
  return out;
}
