/**
 * The cluster DNS server: UDP and TCP on one address/port. Questions under the cluster
 * domain (and reverse zones for cluster IPs) are answered authoritatively from the
 * ClusterDnsIndex; everything else is forwarded upstream.
 */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import * as packet from 'dns-packet';
import { AnswerCache } from './answer-cache.ts';
import type { Forwarder } from './forwarder.ts';
import { Rcode } from './forwarder.ts';
import type { ClusterDnsIndex, DnsRecord } from './records.ts';
import { CLUSTER_TTL } from './records.ts';

export interface DnsServerOptions {
  readonly index: ClusterDnsIndex;
  readonly forwarder: Forwarder;
  readonly bindAddress: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
}

export interface DnsServer {
  readonly port: number;
  close(): Promise<void>;
}

function toAnswer(r: DnsRecord): packet.Answer {
  return { type: r.type, name: r.name, ttl: r.ttl, class: 'IN', data: r.data } as packet.Answer;
}

function soa(domain: string): packet.Answer {
  return {
    type: 'SOA', name: domain, ttl: CLUSTER_TTL, class: 'IN',
    data: { mname: `ns.dns.${domain}`, rname: `hostmaster.${domain}`, serial: Math.floor(Date.now() / 1000), refresh: 7200, retry: 1800, expire: 86400, minimum: CLUSTER_TTL },
  };
}

/** Builds the response to one decoded query. */
export async function answerQuery(query: packet.Packet, index: ClusterDnsIndex, forwarder: Forwarder): Promise<packet.Packet> {
  const rd = ((query.flags ?? 0) & packet.RECURSION_DESIRED) !== 0;
  const base = { type: 'response' as const, id: query.id, questions: query.questions ?? [] };
  const question = query.questions?.[0];
  if (question === undefined) {
    return { ...base, flags: packet.RECURSION_AVAILABLE | Rcode.FORMERR };
  }
  const found = index.lookup(question.name, question.type);
  if (found.kind === 'not-ours') {
    const upstream = await forwarder.resolve(question);
    return { ...base, flags: (rd ? packet.RECURSION_DESIRED : 0) | packet.RECURSION_AVAILABLE | upstream.rcode, answers: upstream.answers, authorities: upstream.authorities };
  }
  const flags = packet.AUTHORITATIVE_ANSWER | packet.RECURSION_AVAILABLE | (rd ? packet.RECURSION_DESIRED : 0);
  if (found.kind === 'answer') {
    return { ...base, flags, answers: found.records.map(toAnswer) };
  }
  return { ...base, flags: flags | (found.kind === 'nxdomain' ? Rcode.NXDOMAIN : Rcode.NOERROR), answers: [], authorities: [soa(index.domain)] };
}

/** Starts UDP and TCP listeners (same port). */
export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const udp: UdpSocket = createSocket(opts.bindAddress.includes(':') ? 'udp6' : 'udp4');
  const cache = new AnswerCache();
  udp.on('message', (msg, rinfo) => {
    const generation = opts.index.generation;
    const hit = cache.get(msg, generation);
    if (hit !== undefined) {
      udp.send(hit, rinfo.port, rinfo.address);
      return;
    }
    let query: packet.Packet;
    try {
      query = packet.decode(msg);
    } catch {
      return; // not DNS: drop, as resolvers do
    }
    void answerQuery(query, opts.index, opts.forwarder).then((res) => {
      let out = packet.encode(res);
      if (out.length > 512) {
        // Classic DNS over UDP: truncate and let the client retry over TCP.
        out = packet.encode({ ...res, flags: (res.flags ?? 0) | packet.TRUNCATED_RESPONSE, answers: [] });
      }
      if (((res.flags ?? 0) & packet.AUTHORITATIVE_ANSWER) !== 0) {
        cache.set(msg, out, generation); // our own answers only: forwarded ones carry upstream TTLs
      }
      udp.send(out, rinfo.port, rinfo.address);
    });
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(opts.port, opts.bindAddress, () => resolve());
  });
  const port = udp.address().port;
  const tcp: Server = createServer((sock: Socket) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        let query: packet.Packet;
        try {
          query = packet.decode(msg);
        } catch {
          sock.destroy();
          return;
        }
        void answerQuery(query, opts.index, opts.forwarder).then((res) => sock.write(packet.streamEncode(res)));
      }
    });
    sock.on('error', () => sock.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, opts.bindAddress, () => resolve());
  });
  return {
    port: (tcp.address() as AddressInfo).port,
    close: async () => {
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
