/**
 * Forwards questions outside the cluster domain to the node's upstream resolvers (from
 * /etc/resolv.conf unless given), over UDP with a per-server timeout, falling back to TCP when
 * an answer is truncated; answers are cached for their smallest TTL (capped), like CoreDNS's
 * forward + cache plugins.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import * as packet from 'dns-packet';

/** `nameserver` lines of a resolv.conf, as `ip:53` endpoints; cluster DNS itself is skipped by the caller. */
export function resolvConfServers(path = '/etc/resolv.conf'): string[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]);
}

interface CacheEntry {
  readonly expires: number;
  readonly answers: packet.Answer[];
  readonly authorities: packet.Answer[];
  readonly rcode: number;
}

/** DNS response codes (RFC 1035 §4.1.1) carried in the low bits of the header flags. */
export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3 } as const;

const MAX_CACHE_TTL_S = 30;
const MAX_CACHE_ENTRIES = 10_000;

/** `1.2.3.4`, `1.2.3.4:5353`, `::1` or `[::1]:5353` → host and port (default 53). */
export function splitServer(server: string): { host: string; port: number } {
  const bracketed = /^\[(.+)\]:(\d+)$/.exec(server);
  if (bracketed !== null) {
    return { host: bracketed[1], port: Number(bracketed[2]) };
  }
  const v4 = /^([^:]+):(\d+)$/.exec(server);
  return v4 !== null ? { host: v4[1], port: Number(v4[2]) } : { host: server, port: 53 };
}

/** Asks upstream servers in order; caches positive and negative answers. */
export class Forwarder {
  private readonly servers: readonly string[];
  private readonly timeoutMs: number;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(servers: readonly string[], timeoutMs = 2000) {
    this.servers = servers;
    this.timeoutMs = timeoutMs;
  }

  /** The upstream response to one question (rcode SERVFAIL when nobody answered). */
  async resolve(question: packet.Question): Promise<{ answers: packet.Answer[]; authorities: packet.Answer[]; rcode: number }> {
    const key = `${question.name.toLowerCase()}|${question.type}|${question.class ?? 'IN'}`;
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.expires > Date.now()) {
      return hit;
    }
    for (const server of this.servers) {
      try {
        const res = await this.ask(server, question);
        // The low four bits of the flags word are the RCODE.
        const rcode = (res.flags ?? 0) & 0xf;
        const answers = res.answers ?? [];
        const authorities = res.authorities ?? [];
        const ttls = [...answers, ...authorities].map((a) => ('ttl' in a && typeof a.ttl === 'number' ? a.ttl : MAX_CACHE_TTL_S));
        const ttl = Math.min(MAX_CACHE_TTL_S, ...ttls);
        if (rcode === Rcode.NOERROR || rcode === Rcode.NXDOMAIN) {
          if (this.cache.size >= MAX_CACHE_ENTRIES) {
            this.cache.delete(this.cache.keys().next().value as string);
          }
          this.cache.set(key, { expires: Date.now() + ttl * 1000, answers, authorities, rcode });
        }
        return { answers, authorities, rcode };
      } catch {
        // try the next server
      }
    }
    return { answers: [], authorities: [], rcode: Rcode.SERVFAIL };
  }

  private ask(server: string, question: packet.Question): Promise<packet.Packet> {
    const { host, port } = splitServer(server);
    const id = Math.floor(Math.random() * 65535);
    const query = packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [question] });
    return new Promise((resolve, reject) => {
      const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      const timer = setTimeout(() => {
        sock.close();
        reject(new Error('timeout'));
      }, this.timeoutMs);
      sock.on('error', (e) => {
        clearTimeout(timer);
        sock.close();
        reject(e);
      });
      sock.on('message', (msg) => {
        const res = packet.decode(msg);
        if (res.id !== id) {
          return;
        }
        clearTimeout(timer);
        sock.close();
        if (((res.flags ?? 0) & packet.TRUNCATED_RESPONSE) !== 0) {
          askTcp(host, port, query, this.timeoutMs).then(resolve, reject);
        } else {
          resolve(res);
        }
      });
      sock.send(query, port, host);
    });
  }
}

function askTcp(host: string, port: number, query: Buffer, timeoutMs: number): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port, timeout: timeoutMs });
    const chunks: Buffer[] = [];
    sock.on('connect', () => sock.end(packet.streamEncode(packet.decode(query))));
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('timeout', () => sock.destroy(new Error('timeout')));
    sock.on('error', reject);
    sock.on('close', () => {
      const all = Buffer.concat(chunks);
      if (all.length < 2) {
        reject(new Error('empty TCP answer'));
        return;
      }
      resolve(packet.streamDecode(all));
    });
  });
}
