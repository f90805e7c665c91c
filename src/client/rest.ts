/**
 * RestClient: JSON over HTTPS (keep-alive) to the API server, built from a kubeconfig.
 * Client-side rate limiting (token bucket, like client-go's QPS/Burst), retries with
 * exponential backoff that honour Retry-After, and errors decoded into StatusError.
 */
import type { Agent as HttpAgent, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { dirname, resolve as resolvePath } from 'node:path';
import type { ClientConnection } from '../kubeconfig/index.ts';
import type { KubeList, KubeObject } from '../api/object.ts';
import { errorFromResponse } from './status.ts';
import { pathFor, queryString } from './paths.ts';
import type { QueryParams, ResourceRef } from './paths.ts';
import { sleep, TokenBucket } from './tokenbucket.ts';
import { stderrLogger } from './log.ts';
import { DEFAULT_IDLE_SOCKET_MS, httpAgent, httpsAgent, noteKeepAliveHint } from './agents.ts';
import type { ClientLogger } from './log.ts';
import type { H2Connection } from './h2.ts';

// node:fs without an ESM import: that facade reads fs.promises, which loads fs/promises and readline (start-up time).
const { readFileSync } = process.getBuiltinModule('node:fs');

// Not `import ... from 'node:http'`: building that module's ESM facade reads every export,
// and its lazy WebSocket/EventSource getters then load undici (~0.1 s of CPU per CLI start).
const { request: httpRequest } = process.getBuiltinModule('node:http');
// Likewise node:https and node:net (its ESM facade also loads internal/blocklist and internal/socketaddress).
const { request: httpsRequest } = process.getBuiltinModule('node:https');
const { isIP } = process.getBuiltinModule('node:net');

/** The version k8ts reports in user agents. */
export const CLIENT_VERSION = 'v1.35.0';

/** Default for `--kube-api-qps` in components (as upstream's scheduler and controller-manager). */
export const DEFAULT_KUBE_API_QPS = 50;
/** Default for `--kube-api-burst` in components. */
export const DEFAULT_KUBE_API_BURST = 100;

/** Content types for PATCH, named after client-go's types.PatchType. */
export const PatchType = {
  Json: 'application/json-patch+json',
  Merge: 'application/merge-patch+json',
  StrategicMerge: 'application/strategic-merge-patch+json',
  Apply: 'application/apply-patch+yaml',
} as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

/**
 * How a RestClient talks to the server: 'h1' is HTTP/1.1 over a keep-alive pool, one request per
 * connection at a time; 'h2' is HTTP/2, every request a stream on one connection (client-go's
 * default). 'h2' applies to https servers only (plain http stays HTTP/1.1).
 */
export type RestTransport = 'h1' | 'h2';

/** How to build a RestClient. */
export interface RestClientOptions {
  readonly connection: ClientConnection;
  /** Names the user agent `k8ts-<component>/v1.35.0` (default `k8ts`). */
  readonly component?: string;
  /** Overrides the whole user agent. */
  readonly userAgent?: string;
  /** `--kube-api-qps` (default 50); 0 or less disables client-side limiting. */
  readonly qps?: number;
  /** `--kube-api-burst` (default 100). */
  readonly burst?: number;
  /** Retries after a retryable failure (default 5). */
  readonly maxRetries?: number;
  /** First retry delay in ms, doubled per retry (default 200). */
  readonly retryBaseMs?: number;
  /** Per-request timeout in ms for non-streaming calls (default 60 s). */
  readonly timeoutMs?: number;
  /** How long a pooled keep-alive connection may stay idle before the client closes it (default 60 s). */
  readonly idleSocketMs?: number;
  readonly logger?: ClientLogger;
  /**
   * A bearer-token file re-read every minute (rotating service-account tokens, kubeconfig
   * `tokenFile`); wins over `connection.token` once read.
   */
  readonly tokenFile?: string;
  /** Headers sent with every request (kubectl's impersonation headers); per-request headers win. */
  readonly headers?: OutgoingHttpHeaders;
  /** HTTP version to use (default 'h1'). */
  readonly transport?: RestTransport;
}

/** One HTTP call. */
export interface RequestOptions {
  readonly method: string;
  readonly path: string;
  readonly query?: QueryParams;
  /** Serialised as JSON unless it is already a string. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly signal?: AbortSignal;
}

/** A raw (fully read) response. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** DeleteOptions fields a client commonly sets. */
export interface DeleteOptions {
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly gracePeriodSeconds?: number;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly dryRun?: readonly string[];
}

const idempotentMethods = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const retryableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

/** True for transport-level failures worth retrying (refused/reset connections, timeouts). */
export function isConnectionError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && retryableCodes.has(code);
}

function retryAfterMs(headers: IncomingHttpHeaders): number | undefined {
  const v = headers['retry-after'];
  if (typeof v !== 'string') {
    return undefined;
  }
  const s = Number(v);
  return Number.isFinite(s) && s >= 0 ? Math.min(s, 60) * 1000 : undefined;
}

/** A response head and its unread body, whichever HTTP version carried it. */
interface Response {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** The IncomingMessage (HTTP/1.1) or the stream (HTTP/2). */
  readonly body: Readable;
}

/**
 * Resolves once a response body has ended; rejects on a stream error or a connection lost
 * mid-body ('close' without 'end'). `onData` gets each chunk; without it the body is dropped
 * unread (answers nobody reads). Plain listeners: cheaper than an async iterator per response.
 */
function readToEnd(res: Readable, onData: ((chunk: Buffer) => void) | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    let ended = false;
    res.once('end', () => {
      ended = true;
      resolve();
    });
    res.once('error', reject);
    // A no-op once resolved.
    res.once('close', () => {
      if (!ended && (res as Partial<IncomingMessage>).complete !== true) {
        reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      }
    });
    if (onData === undefined) {
      res.resume();
    } else {
      res.on('data', onData);
    }
  });
}

/** Reads a whole response body as UTF-8. */
async function readResponse(res: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  await readToEnd(res, (c) => chunks.push(c));
  return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/** A Kubernetes REST client over one keep-alive agent; safe to share across a process. */
export class RestClient {
  readonly connection: ClientConnection;
  readonly userAgent: string;
  private readonly base: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  /** Set when requests go over HTTP/2 instead of the agent. */
  private readonly h2: Promise<H2Connection> | undefined;
  /** `h2` once resolved. */
  private h2Ready: H2Connection | undefined;
  private readonly limiter: TokenBucket | undefined;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly timeoutMs: number;
  private readonly logger: ClientLogger;
  private readonly tokenFile: string | undefined;
  private fileToken: { value: string; readAt: number } | undefined;
  private readonly defaultHeaders: OutgoingHttpHeaders | undefined;
  // What every request's options share, worked out once.
  private readonly pathPrefix: string;
  private readonly hostname: string;
  private readonly port: number | undefined;
  /** TLS server name: the host, or '' (no SNI) for an IP address, as Node would derive it per request. */
  private readonly servername: string | undefined;

  constructor(opts: RestClientOptions) {
    this.tokenFile = opts.tokenFile;
    this.defaultHeaders = opts.headers;
    this.connection = opts.connection;
    this.base = new URL(opts.connection.server);
    this.pathPrefix = this.base.pathname.replace(/\/+$/, '');
    this.hostname = this.base.hostname.replace(/^\[|\]$/g, '');
    this.port = this.base.port === '' ? undefined : Number(this.base.port);
    this.servername = this.base.protocol === 'https:' ? (isIP(this.hostname) === 0 ? this.hostname : '') : undefined;
    this.userAgent = opts.userAgent ?? `k8ts-${opts.component ?? 'client'}/${CLIENT_VERSION} (${process.platform}/${process.arch})`;
    const qps = opts.qps ?? DEFAULT_KUBE_API_QPS;
    this.limiter = qps > 0 ? new TokenBucket(qps, Math.max(1, opts.burst ?? DEFAULT_KUBE_API_BURST)) : undefined;
    this.maxRetries = opts.maxRetries ?? 5;
    this.retryBaseMs = opts.retryBaseMs ?? 200;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.logger = opts.logger ?? stderrLogger;
    const c = opts.connection;
    this.agent =
      this.base.protocol === 'https:'
        ? httpsAgent({ maxFreeSockets: 64, ca: c.caPem, cert: c.certPem, key: c.keyPem, rejectUnauthorized: !c.insecureSkipTlsVerify }, opts.idleSocketMs)
        : httpAgent({ maxFreeSockets: 64 }, opts.idleSocketMs);
    this.h2 =
      opts.transport === 'h2' && this.base.protocol === 'https:'
        ? // Loaded only when chosen: node:http2 stays out of kubectl's start-up.
          import('./h2.ts').then(({ H2Connection }) => {
            this.h2Ready = new H2Connection(
              { authority: this.base.origin, servername: this.servername, caPem: c.caPem, certPem: c.certPem, keyPem: c.keyPem, rejectUnauthorized: !c.insecureSkipTlsVerify },
              opts.idleSocketMs ?? DEFAULT_IDLE_SOCKET_MS,
            );
            return this.h2Ready;
          })
        : undefined;
  }

  /** Builds a client from a kubeconfig file (context default: current-context). */
  static async fromKubeconfig(path: string, opts: Omit<RestClientOptions, 'connection'> & { readonly context?: string } = {}): Promise<RestClient> {
    // Loaded here, not at the top: the kubeconfig module pulls in the YAML parser.
    const { loadKubeconfig, resolveContext } = await import('../kubeconfig/index.ts');
    const cfg = await loadKubeconfig(path);
    const connection = await resolveContext(cfg, opts.context, path);
    const contextName = opts.context ?? cfg['current-context'];
    const userName = cfg.contexts.find((c) => c.name === contextName)?.context.user;
    const user = cfg.users.find((u) => u.name === userName)?.user;
    const tokenFile = user?.token === undefined && user?.tokenFile !== undefined && user.tokenFile !== '' ? resolvePath(dirname(path), user.tokenFile) : undefined;
    return new RestClient({ tokenFile, ...opts, connection });
  }

  /**
   * In-cluster configuration, as client-go's rest.InClusterConfig: the
   * KUBERNETES_SERVICE_HOST/PORT environment and the mounted service-account token (re-read
   * every minute), CA and namespace under `dir`.
   */
  static inCluster(opts: Omit<RestClientOptions, 'connection' | 'tokenFile'> & { readonly dir?: string } = {}): RestClient {
    const host = process.env.KUBERNETES_SERVICE_HOST;
    const port = process.env.KUBERNETES_SERVICE_PORT;
    if (host === undefined || host === '' || port === undefined || port === '') {
      throw new Error('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
    }
    const dir = opts.dir ?? '/var/run/secrets/kubernetes.io/serviceaccount';
    const read = (f: string): string | undefined => {
      try {
        return readFileSync(`${dir}/${f}`, 'utf8');
      } catch {
        return undefined;
      }
    };
    const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return new RestClient({
      ...opts,
      tokenFile: `${dir}/token`,
      connection: { server, caPem: read('ca.crt'), insecureSkipTlsVerify: false, namespace: read('namespace')?.trim() || 'default' },
    });
  }

  /** The bearer token to send: from tokenFile (cached for a minute) or the connection. */
  private bearerToken(): string | undefined {
    if (this.tokenFile !== undefined) {
      const now = performance.now();
      if (this.fileToken === undefined || now - this.fileToken.readAt > 60_000) {
        try {
          this.fileToken = { value: readFileSync(this.tokenFile, 'utf8').trim(), readAt: now };
        } catch (e) {
          // Keep the last good token; a missing file before the first read falls back to connection.token.
          this.logger('warning', `reading token file ${this.tokenFile}: ${(e as Error).message}`);
        }
      }
      if (this.fileToken !== undefined) {
        return this.fileToken.value;
      }
    }
    return this.connection.token;
  }

  /** The namespace of the kubeconfig context ('default' if unset). */
  get defaultNamespace(): string {
    return this.connection.namespace;
  }

  /** Destroys the agent's sockets: idle keep-alive ones and any still in use (their requests fail). */
  close(): void {
    this.agent.destroy();
    void this.h2?.then((h2) => h2.close());
  }

  private headersFor(opts: RequestOptions, body: string | undefined): OutgoingHttpHeaders {
    const h: OutgoingHttpHeaders = { 'user-agent': this.userAgent, accept: opts.accept ?? 'application/json', ...this.defaultHeaders, ...opts.headers };
    // Like kubectl: a bearer token only travels over TLS.
    const token = this.base.protocol === 'https:' ? this.bearerToken() : undefined;
    if (token !== undefined && token !== '') {
      h.authorization = `Bearer ${token}`;
    }
    if (body !== undefined) {
      h['content-type'] = opts.contentType ?? 'application/json';
      h['content-length'] = Buffer.byteLength(body);
    }
    return h;
  }

  /** Sends once; resolves with the response head (body unread). */
  private send(opts: RequestOptions, body: string | undefined, streaming: boolean): Promise<Response> {
    if (this.h2 !== undefined) {
      const req = { method: opts.method, path: `${this.pathPrefix}${opts.path}${queryString(opts.query)}`, headers: this.headersFor(opts, body), body, signal: opts.signal, timeoutMs: streaming ? undefined : this.timeoutMs };
      // Once the transport module is loaded, requests go straight to it (no promise hop each).
      return this.h2Ready !== undefined ? this.h2Ready.request(req) : this.h2.then((h2) => h2.request(req));
    }
    const request = this.base.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          protocol: this.base.protocol,
          hostname: this.hostname,
          port: this.port,
          servername: this.servername,
          method: opts.method,
          path: `${this.pathPrefix}${opts.path}${queryString(opts.query)}`,
          headers: this.headersFor(opts, body),
          agent: this.agent,
          signal: opts.signal,
          timeout: streaming ? undefined : this.timeoutMs,
        },
        (res) => {
          noteKeepAliveHint(res);
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res });
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(Object.assign(new Error(`request timed out after ${this.timeoutMs}ms`), { code: 'ETIMEDOUT' })));
      req.end(body);
    });
  }

  /**
   * Sends with rate limiting and retries: 429 and 5xx answers carrying Retry-After are retried
   * for any verb (the server did not act); other 5xx and connection errors only for idempotent verbs.
   */
  private async sendWithRetry(opts: RequestOptions, streaming: boolean): Promise<Response> {
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const idempotent = idempotentMethods.has(opts.method.toUpperCase());
    for (let attempt = 0; ; attempt++) {
      if (this.limiter !== undefined) {
        await this.limiter.take(opts.signal);
      }
      const backoff = Math.min(this.retryBaseMs * 2 ** attempt, 30_000);
      let res: Response;
      try {
        res = await this.send(opts, body, streaming);
      } catch (e) {
        // HTTP/2 marks failures the server cannot have acted on (GOAWAY, refused stream): any verb may go again.
        const unprocessed = (e as { unprocessed?: unknown } | undefined)?.unprocessed === true;
        const retryable = unprocessed || (idempotent && isConnectionError(e));
        if (opts.signal?.aborted !== true && attempt < this.maxRetries && retryable) {
          this.logger('warning', `${opts.method} ${opts.path}: ${(e as Error).message}; retrying in ${backoff}ms`);
          await sleep(backoff, opts.signal);
          continue;
        }
        throw e;
      }
      const code = res.statusCode;
      const after = retryAfterMs(res.headers);
      const retryable = code === 429 || (code >= 500 && (after !== undefined || (idempotent && code !== 501)));
      if (retryable && attempt < this.maxRetries) {
        res.body.resume();
        const delay = after ?? backoff;
        this.logger('warning', `${opts.method} ${opts.path}: HTTP ${code}; retrying in ${delay}ms`);
        await sleep(delay, opts.signal);
        continue;
      }
      return res;
    }
  }

  /** Sends a request and reads the whole body, whatever the status. */
  async raw(opts: RequestOptions): Promise<RawResponse> {
    const res = await this.sendWithRetry(opts, false);
    const body = await readResponse(res.body);
    return { status: res.statusCode, headers: res.headers, body };
  }

  /** Sends a request; a 2xx JSON body is returned parsed (other bodies as text); errors throw a StatusError. */
  async request<T = unknown>(opts: RequestOptions): Promise<T> {
    const r = await this.raw(opts);
    if (r.status < 200 || r.status > 299) {
      throw errorFromResponse(r.status, r.body);
    }
    if (r.body === '') {
      return undefined as T;
    }
    const type = r.headers['content-type'] ?? '';
    return (type.includes('json') || type === '' ? JSON.parse(r.body) : r.body) as T;
  }

  /** Sends a request whose 2xx answer the caller does not need (left unparsed); errors throw a StatusError. */
  async requestWithoutResult(opts: RequestOptions): Promise<void> {
    const res = await this.sendWithRetry(opts, false);
    const code = res.statusCode;
    if (code < 200 || code > 299) {
      throw errorFromResponse(code, await readResponse(res.body));
    }
    // Read to the end (the request is only done then), but never turned into a string.
    await readToEnd(res.body, undefined);
  }

  /** Opens a streaming response (watch, logs): resolves once a 2xx head arrives with its body; errors throw StatusError. */
  async stream(opts: RequestOptions): Promise<Readable> {
    const res = await this.sendWithRetry(opts, true);
    const code = res.statusCode;
    if (code < 200 || code > 299) {
      throw errorFromResponse(code, await readResponse(res.body));
    }
    return res.body;
  }

  /** GET one object (`ref.name` required; `ref.subresource` for e.g. `status`, `scale`). */
  get<T extends KubeObject = KubeObject>(ref: ResourceRef, query?: QueryParams, signal?: AbortSignal): Promise<T> {
    return this.request<T>({ method: 'GET', path: pathFor(ref), query, signal });
  }

  /** GET a collection (one page: pass `limit`/`continue` in `query`). */
  list<T extends KubeObject = KubeObject>(ref: ResourceRef, query?: QueryParams, signal?: AbortSignal): Promise<KubeList<T>> {
    return this.request<KubeList<T>>({ method: 'GET', path: pathFor({ ...ref, name: undefined, subresource: undefined }), query, signal });
  }

  /** POST a new object to the collection (or to a subresource such as `binding`/`eviction` when `ref.name` is set). */
  create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: unknown, query?: QueryParams, signal?: AbortSignal): Promise<T> {
    return this.request<T>({ method: 'POST', path: pathFor(ref), body: obj, query, signal });
  }

  /** PUT a whole object (optimistic concurrency through its metadata.resourceVersion). */
  update<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: unknown, query?: QueryParams, signal?: AbortSignal): Promise<T> {
    return this.request<T>({ method: 'PUT', path: pathFor(ref), body: obj, query, signal });
  }

  /** PATCH with the given patch type (apply patches need `fieldManager` in `query`). */
  patch<T extends KubeObject = KubeObject>(ref: ResourceRef, patch: unknown, type: PatchType, query?: QueryParams, signal?: AbortSignal): Promise<T> {
    return this.request<T>({ method: 'PATCH', path: pathFor(ref), body: patch, contentType: type, query, signal });
  }

  /** DELETE one object; resolves with the server's answer (the object, or a Status). */
  delete(ref: ResourceRef, options?: DeleteOptions, query?: QueryParams, signal?: AbortSignal): Promise<unknown> {
    const body = options === undefined ? undefined : { kind: 'DeleteOptions', apiVersion: 'v1', ...options };
    return this.request({ method: 'DELETE', path: pathFor(ref), body, query, signal });
  }

  /** Any verb on a named subresource (`status`, `scale`, `binding`, `eviction`, …); JSON in and out. */
  subresource<T = unknown>(
    method: 'GET' | 'PUT' | 'POST' | 'PATCH',
    ref: ResourceRef & { readonly name: string; readonly subresource: string },
    body?: unknown,
    opts: { readonly query?: QueryParams; readonly contentType?: string; readonly signal?: AbortSignal } = {},
  ): Promise<T> {
    return this.request<T>({ method, path: pathFor(ref), body, query: opts.query, contentType: opts.contentType, signal: opts.signal });
  }
}
