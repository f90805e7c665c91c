/**
 * The HTTPS endpoint kube-controller-manager (10257) and kube-scheduler (10259) serve:
 * `/healthz`, `/livez`, `/readyz` (with `?verbose` listing each check as upstream's healthz
 * does) and `/metrics` (Prometheus text). The certificate is `--tls-cert-file`/`--tls-private-key-file`
 * or, as upstream does without them, a self-signed one for localhost made at start.
 *
 * Not like upstream: no delegated authentication/authorization (upstream lets anyone read the
 * health paths but checks /metrics with TokenReview/SubjectAccessReview); here /metrics is
 * readable by anyone who can reach the port, so bind it to a trusted address. A port that is
 * already taken (another scheduler on the same machine) logs an error and the component runs on
 * without the endpoint instead of exiting.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ClientLogger } from '../../client/log.ts';
import { generateKeyPair, privateKeyToPem, signingAlgorithm, x509 } from '../../pki/keys.ts';

/** Where and how to serve. `securePort` 0 disables serving (upstream's meaning). */
export interface SecureServingOptions {
  readonly bindAddress: string;
  readonly securePort: number;
  readonly tlsCertFile?: string;
  readonly tlsPrivateKeyFile?: string;
}

/** One named health check: undefined when healthy, else why not. */
export type HealthCheck = () => string | undefined;

/** A running endpoint. */
export interface ComponentServer {
  /** The port actually bound (useful with --secure-port given as an ephemeral port in tests). */
  readonly port: number;
  close(): Promise<void>;
}

/** The metrics registry every component starts with: process metrics and leader_election_master_status. */
export function componentRegistry(): { registry: Registry; setLeader(name: string, leading: boolean): void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const leader = new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. \'name\' is the string used to identify the lease.', labelNames: ['name'], registers: [registry] });
  return { registry, setLeader: (name, leading) => leader.set({ name }, leading ? 1 : 0) };
}

async function selfSigned(commonName: string): Promise<{ cert: string; key: string }> {
  const keys = await generateKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [`${commonName}@${Math.floor(now / 1000)}`] }],
    keys,
    signingAlgorithm,
    notBefore: new Date(now - 5 * 60_000),
    notAfter: new Date(now + 365 * 24 * 3600_000),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }, { type: 'ip', value: '::1' }], false),
    ],
  });
  return { cert: cert.toString('pem'), key: await privateKeyToPem(keys.privateKey) };
}

/**
 * Starts serving; undefined when serving is disabled or the port could not be bound (logged).
 * `checks` are run on each health request, in order.
 */
export async function startComponentServer(
  component: string,
  opts: SecureServingOptions,
  checks: ReadonlyMap<string, HealthCheck>,
  registry: Registry,
  logger: ClientLogger,
): Promise<ComponentServer | undefined> {
  if (opts.securePort === 0) {
    return undefined;
  }
  const tls = opts.tlsCertFile !== undefined && opts.tlsPrivateKeyFile !== undefined
    ? { cert: await readFile(opts.tlsCertFile, 'utf8'), key: await readFile(opts.tlsPrivateKeyFile, 'utf8') }
    : await selfSigned(component);
  const server: Server = createServer(tls, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://component');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      const results = [...checks].map(([name, check]) => [name, check()] as const);
      const failed = results.filter(([, why]) => why !== undefined);
      const verbose = url.searchParams.has('verbose');
      const kind = path.slice(1);
      let body: string;
      if (verbose || failed.length > 0) {
        body = results.map(([name, why]) => (why === undefined ? `[+]${name} ok` : `[-]${name} failed: reason withheld`)).join('\n') + '\n' + (failed.length === 0 ? `${kind} check passed\n` : `${kind} check failed\n`);
        for (const [name, why] of failed) {
          logger('warning', `${component}: ${kind} check ${name} failed: ${why ?? ''}`);
        }
      } else {
        body = 'ok';
      }
      res.writeHead(failed.length === 0 ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }).end(body);
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${(e as Error).message}\n`),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
  });
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', (e) => {
      logger('error', `${component}: failed to serve on ${opts.bindAddress}:${opts.securePort}: ${e.message}; running without /healthz and /metrics`);
      resolve(false);
    });
    server.listen(opts.securePort, opts.bindAddress, () => resolve(true));
  });
  if (!bound) {
    return undefined;
  }
  const port = (server.address() as AddressInfo).port;
  logger('info', `${component}: serving securely on ${opts.bindAddress}:${port}`);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
