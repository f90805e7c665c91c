/**
 * SPDY/3.1 as Kubernetes' streaming protocols use it (moby/spdystream on both ends upstream),
 * for both roles: the kubelet serves port-forward with it, `kubectl port-forward` dials with it.
 * Streams are opened by the client with SYN_STREAM and answered with SYN_REPLY; data frames
 * with FIN half-close; RST_STREAM, PING echo, GOAWAY. Written here because no maintained npm
 * package speaks SPDY/3.1 (spdy-transport is unmaintained and drags in HTTP/2-era baggage);
 * this is the small subset port-forward needs. Not implemented on purpose: flow control
 * (spdystream neither sends nor honours WINDOW_UPDATE), server-initiated streams, priorities.
 *
 * Header blocks are zlib-compressed with SPDY/3's fixed dictionary and ONE compression context
 * per direction for the whole connection. Incoming blocks go through a real inflater; outgoing
 * ones are written as zlib "stored" blocks (valid deflate, no compression), which keeps the
 * writer synchronous and stateless apart from the one-time zlib header.
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { createInflate } from 'node:zlib';
import type { Inflate } from 'node:zlib';

const WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin',
];
const TAIL = '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505'
  + '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden'
  + '404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable'
  + 'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT'
  + 'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,'
  + 'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/** SPDY/3's zlib dictionary (draft 3 §2.6.10.1): length-prefixed header words, then a fixed tail. */
export const SPDY_DICTIONARY: Buffer = Buffer.concat([
  ...WORDS.map((w) => {
    const b = Buffer.alloc(4 + w.length);
    b.writeUInt32BE(w.length, 0);
    b.write(w, 4, 'latin1');
    return b;
  }),
  Buffer.from(TAIL, 'latin1'),
]);

const FrameType = { SynStream: 1, SynReply: 2, RstStream: 3, Settings: 4, Ping: 6, GoAway: 7, Headers: 8, WindowUpdate: 9 } as const;
const FLAG_FIN = 0x01;
/** RST_STREAM status codes used here. */
export const RstStatus = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, Cancel: 5, InternalError: 6 } as const;
const MAX_DATA = 64 * 1024;

function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** The zlib stream header announcing the SPDY dictionary (CMF 0x78, FDICT set, valid FCHECK). */
function zlibHeader(): Buffer {
  const cmf = 0x78;
  let flg = 0x20;
  flg += (31 - ((cmf * 256 + flg) % 31)) % 31;
  const b = Buffer.alloc(6);
  b[0] = cmf;
  b[1] = flg;
  b.writeUInt32BE(adler32(SPDY_DICTIONARY), 2);
  return b;
}

/** Serialises a header block (count, then length-prefixed names and values); names are lowercased as SPDY/3 requires. */
export function encodeHeaderBlock(headers: Readonly<Record<string, string>>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n, 0);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [k, v] of entries) {
    const name = Buffer.from(k.toLowerCase());
    const value = Buffer.from(v);
    parts.push(u32(name.length), name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

/** Parses one header block at the start of `buf`; undefined until the whole block is there. */
export function decodeHeaderBlock(buf: Buffer): { headers: Map<string, string>; length: number } | undefined {
  if (buf.length < 4) {
    return undefined;
  }
  const count = buf.readUInt32BE(0);
  let at = 4;
  const headers = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    if (buf.length < at + 4) {
      return undefined;
    }
    const nameLen = buf.readUInt32BE(at);
    if (buf.length < at + 8 + nameLen) {
      return undefined;
    }
    const name = buf.toString('utf8', at + 4, at + 4 + nameLen).toLowerCase();
    const valueLen = buf.readUInt32BE(at + 4 + nameLen);
    const end = at + 8 + nameLen + valueLen;
    if (buf.length < end) {
      return undefined;
    }
    // Several values of one header are NUL-separated; the first is what the streaming protocols read.
    headers.set(name, buf.toString('utf8', at + 8 + nameLen, end).split('\0')[0]);
    at = end;
  }
  return { headers, length: at };
}

/** One client-initiated stream. Set the handlers right away (server: in the session's onStream callback; client: when openStream resolves). */
export class SpdyStream {
  readonly id: number;
  readonly headers: ReadonlyMap<string, string>;
  /** Bytes from the peer. */
  onData: (chunk: Buffer) => void = () => undefined;
  /** The peer half-closed the stream (FIN). */
  onEnd: () => void = () => undefined;
  /** The stream was reset by the peer or the connection went away. */
  onClose: () => void = () => undefined;
  private readonly session: SpdySession;
  localClosed = false;
  remoteClosed = false;

  constructor(session: SpdySession, id: number, headers: ReadonlyMap<string, string>) {
    this.session = session;
    this.id = id;
    this.headers = headers;
  }

  /** Sends bytes to the peer (split into data frames). */
  write(chunk: Buffer): void {
    if (this.localClosed) {
      return;
    }
    for (let at = 0; at < chunk.length; at += MAX_DATA) {
      this.session.sendData(this.id, chunk.subarray(at, at + MAX_DATA), false);
    }
  }

  /** Half-closes our side (an empty data frame with FIN). */
  end(): void {
    if (!this.localClosed) {
      this.localClosed = true;
      this.session.sendData(this.id, Buffer.alloc(0), true);
      this.session.maybeForget(this);
    }
  }

  /** Aborts the stream (RST_STREAM). */
  reset(status: number = RstStatus.Cancel): void {
    this.session.sendReset(this.id, status);
    this.session.forget(this.id);
  }
}

/** Which end of the connection a session is: the server answers streams, the client opens them. */
export type SpdyRole = 'server' | 'client';

/**
 * A SPDY/3.1 session over any byte stream (a TLS socket after `101 Upgrade: SPDY/3.1`, or the
 * bytes of a WebSocket tunnel). Server role: `onStream` is called for each SYN_STREAM after the
 * reply. Client role: `openStream` opens streams; streams the server tries to open are refused.
 */
export class SpdySession {
  private readonly transport: Duplex;
  private readonly onStream: (stream: SpdyStream) => void;
  private readonly role: SpdyRole;
  private readonly streams = new Map<number, SpdyStream>();
  // Client streams waiting for their SYN_REPLY.
  private readonly replies = new Map<number, { resolve: (s: SpdyStream) => void; reject: (e: Error) => void }>();
  private nextStreamId = 1;
  private readonly inflater: Inflate;
  private inflated: Buffer = Buffer.alloc(0);
  private readonly blockWaiters: ((h: Map<string, string>) => void)[] = [];
  private pending: Buffer = Buffer.alloc(0);
  private chain: Promise<void> = Promise.resolve();
  private wroteZlibHeader = false;
  private closed = false;
  /** Called once when the connection ends. */
  onClose: () => void = () => undefined;

  constructor(transport: Duplex, onStream: (stream: SpdyStream) => void, role: SpdyRole = 'server') {
    this.transport = transport;
    this.onStream = onStream;
    this.role = role;
    this.inflater = createInflate({ dictionary: SPDY_DICTIONARY });
    this.inflater.on('data', (d: Buffer) => {
      this.inflated = Buffer.concat([this.inflated, d]);
      this.drainBlocks();
    });
    this.inflater.on('error', () => this.close());
    transport.on('data', (d: Buffer) => this.receive(d));
    transport.on('end', () => this.close());
    transport.on('close', () => this.close());
    transport.on('error', () => this.close());
  }

  /** Ends the connection and every stream. */
  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const s of this.streams.values()) {
      s.onClose();
    }
    this.streams.clear();
    for (const waiter of this.replies.values()) {
      waiter.reject(new Error('connection closed'));
    }
    this.replies.clear();
    this.inflater.destroy();
    this.transport.destroy();
    this.onClose();
  }

  /** Whether the connection has ended. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Client role: opens a stream with these headers (SYN_STREAM, FIN when `fin`) and resolves
   * once the server's SYN_REPLY arrives; rejects when the server resets it or the connection ends.
   */
  openStream(headers: Readonly<Record<string, string>>, fin = false): Promise<SpdyStream> {
    if (this.closed) {
      return Promise.reject(new Error('connection closed'));
    }
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this, id, new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])));
    stream.localClosed = fin;
    this.streams.set(id, stream);
    const replied = new Promise<SpdyStream>((resolve, reject) => this.replies.set(id, { resolve, reject }));
    // Associated stream id 0, priority 0, slot 0.
    this.sendControl(FrameType.SynStream, fin ? FLAG_FIN : 0, Buffer.concat([u32(id), u32(0), Buffer.alloc(2), this.compress(encodeHeaderBlock(headers))]));
    return replied;
  }

  private drainBlocks(): void {
    while (this.blockWaiters.length > 0) {
      const block = decodeHeaderBlock(this.inflated);
      if (block === undefined) {
        return;
      }
      this.inflated = this.inflated.subarray(block.length);
      this.blockWaiters.shift()?.(block.headers);
    }
  }

  /** Decompresses the next header block (blocks come out of the shared inflater in order). */
  private inflateBlock(compressed: Buffer): Promise<Map<string, string>> {
    return new Promise((resolve) => {
      this.blockWaiters.push(resolve);
      this.inflater.write(compressed);
      this.inflater.flush();
    });
  }

  private receive(d: Buffer): void {
    this.pending = this.pending.length === 0 ? d : Buffer.concat([this.pending, d]);
    while (this.pending.length >= 8) {
      const length = this.pending.readUIntBE(5, 3);
      if (this.pending.length < 8 + length) {
        return;
      }
      const frame = this.pending.subarray(0, 8 + length);
      this.pending = this.pending.subarray(8 + length);
      this.chain = this.chain.then(() => this.handle(frame)).catch(() => this.close());
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.closed) {
      return;
    }
    const flags = frame[4];
    const payload = frame.subarray(8);
    if ((frame[0] & 0x80) === 0) {
      const stream = this.streams.get(frame.readUInt32BE(0) & 0x7fffffff);
      if (stream === undefined) {
        return;
      }
      if (payload.length > 0) {
        stream.onData(Buffer.from(payload));
      }
      if ((flags & FLAG_FIN) !== 0) {
        stream.remoteClosed = true;
        stream.onEnd();
        this.maybeForget(stream);
      }
      return;
    }
    const type = frame.readUInt16BE(2);
    if (type === FrameType.SynStream) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      const headers = await this.inflateBlock(payload.subarray(10));
      if (this.role === 'client') {
        // Nothing in the streaming protocols has the server open streams.
        this.sendReset(id, RstStatus.RefusedStream);
        return;
      }
      if (this.streams.has(id)) {
        this.sendReset(id, RstStatus.ProtocolError);
        return;
      }
      const stream = new SpdyStream(this, id, headers);
      this.streams.set(id, stream);
      this.sendControl(FrameType.SynReply, 0, Buffer.concat([u32(id), this.compress(encodeHeaderBlock({}))]));
      this.onStream(stream);
      if ((flags & FLAG_FIN) !== 0) {
        stream.remoteClosed = true;
        stream.onEnd();
      }
    } else if (type === FrameType.SynReply) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      await this.inflateBlock(payload.subarray(4));
      const stream = this.streams.get(id);
      const waiter = this.replies.get(id);
      this.replies.delete(id);
      if (stream !== undefined) {
        waiter?.resolve(stream);
        if ((flags & FLAG_FIN) !== 0) {
          stream.remoteClosed = true;
          stream.onEnd();
          this.maybeForget(stream);
        }
      }
    } else if (type === FrameType.Headers) {
      // Consume the block to keep the shared inflater in step; the streaming protocols send none.
      await this.inflateBlock(payload.subarray(4));
    } else if (type === FrameType.RstStream) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      const stream = this.streams.get(id);
      const waiter = this.replies.get(id);
      this.replies.delete(id);
      waiter?.reject(new Error(`stream ${id} reset by the server (status ${payload.readUInt32BE(4)})`));
      if (stream !== undefined) {
        this.streams.delete(id);
        stream.onClose();
      }
    } else if (type === FrameType.Ping) {
      // Pings the peer started carry its parity (clients odd, servers even); echo those unchanged.
      if ((payload.readUInt32BE(0) & 1) === (this.role === 'server' ? 1 : 0)) {
        this.sendControl(FrameType.Ping, 0, payload);
      }
    } else if (type === FrameType.GoAway) {
      this.close();
    }
    // SETTINGS and WINDOW_UPDATE need no answer (no flow control, see the module comment).
  }

  /**
   * zlib-frames a header block as stored deflate blocks (the stream header goes first, once),
   * ended by an empty stored block: the sync-flush marker. Go's inflater only hands out what it
   * has at that marker; without it, it reads on into the next frame and fails there.
   */
  private compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.wroteZlibHeader) {
      this.wroteZlibHeader = true;
      parts.push(zlibHeader());
    }
    for (let at = 0; at < block.length; at += 0xffff) {
      parts.push(storedBlock(block.subarray(at, at + 0xffff)));
    }
    parts.push(storedBlock(Buffer.alloc(0)));
    return Buffer.concat(parts);
  }

  private sendControl(type: number, flags: number, payload: Buffer): void {
    if (this.closed) {
      return;
    }
    const head = Buffer.alloc(8);
    head.writeUInt16BE(0x8003, 0);
    head.writeUInt16BE(type, 2);
    head[4] = flags;
    head.writeUIntBE(payload.length, 5, 3);
    this.transport.write(Buffer.concat([head, payload]));
  }

  /** Writes one data frame (used by SpdyStream). */
  sendData(id: number, data: Buffer, fin: boolean): void {
    if (this.closed) {
      return;
    }
    const head = Buffer.alloc(8);
    head.writeUInt32BE(id & 0x7fffffff, 0);
    head[4] = fin ? FLAG_FIN : 0;
    head.writeUIntBE(data.length, 5, 3);
    this.transport.write(Buffer.concat([head, data]));
  }

  /** Writes RST_STREAM (used by SpdyStream). */
  sendReset(id: number, status: number): void {
    this.sendControl(FrameType.RstStream, 0, Buffer.concat([u32(id), u32(status)]));
  }

  /** Drops a stream from the table. */
  forget(id: number): void {
    this.streams.delete(id);
  }

  /** Drops a stream once both sides have half-closed. */
  maybeForget(stream: SpdyStream): void {
    if (stream.localClosed && stream.remoteClosed) {
      this.streams.delete(stream.id);
    }
  }

  /** Whether the underlying transport has more queued than it wants (for backpressure). */
  get congested(): boolean {
    return this.transport.writableNeedDrain;
  }

  /** Resolves once the transport drains. */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.transport.writableNeedDrain || this.closed) {
        resolve();
        return;
      }
      this.transport.once('drain', resolve);
      this.transport.once('close', resolve);
    });
  }
}

/** One non-final stored deflate block (we only ever write these, so we are always byte-aligned). */
function storedBlock(data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 0x00; // BFINAL=0, BTYPE=00
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** sha256 of the dictionary (for the test that pins it to the bytes spdystream uses). */
export function dictionaryDigest(): string {
  return createHash('sha256').update(SPDY_DICTIONARY).digest('hex');
}
