/**
 * The kubelet API over TLS (port 10250): `/healthz`, `/pods`, `/containerLogs/<ns>/<pod>/<container>`,
 * `/metrics/resource` (cgroup CPU and memory, upstream's resource metrics) and the streaming `/exec`, `/attach` (WebSocket `v5.channel.k8s.io`) and `/portForward`
 * (SPDY/3.1, tunnelled in WebSocket or plain). Clients must present a
 * certificate signed by the cluster CA (the apiserver's kubelet client certificate, or an
 * admin's), as upstream's x509 authentication with `--client-ca-file`; the serving
 * certificate is signed by a kubelet-local CA under `<root-dir>/pki` (upstream self-signs).
 */
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { ensureCa, issueServingCert } from '../../pki/index.ts';
import type { ContainerRuntime } from '../runtime/types.ts';
import { ContainerState } from '../runtime/types.ts';
import { streamLog } from './cri-logs.ts';
import { handleStreamUpgrade } from './exec.ts';
import { findContainer, LookupError } from './lookup.ts';
import { handlePortForward, isPortForward } from './portforward.ts';
import { detectCgroupHost } from '../stats/cgroup.ts';
import type { CgroupHost } from '../stats/cgroup.ts';
import { TEXT_CONTENT_TYPE } from '../stats/exposition.ts';
import { collectResourceUsage, renderResourceMetrics } from '../stats/resource-metrics.ts';

/** What the kubelet server needs. */
export interface KubeletServerOptions {
  readonly runtime: ContainerRuntime;
  readonly rootDir: string;
  readonly nodeName: string;
  readonly hostIp: string;
  /** PEM of the CA that signs client certificates. */
  readonly clientCaPem: string;
  /** Pods the kubelet runs (for /pods). */
  readonly pods: () => unknown[];
  readonly port: number;
  readonly address?: string;
  readonly log: (message: string) => void;
  /** Where `/metrics/resource` reads cgroups (default: detected under /sys/fs/cgroup). */
  readonly cgroupHost?: CgroupHost;
}

/** A running kubelet server. */
export interface KubeletServer {
  readonly port: number;
  close(): Promise<void>;
}

function status(res: ServerResponse, code: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message);
}

function numberParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  return v === null || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v);
}

async function serveLogs(opts: KubeletServerOptions, req: IncomingMessage, res: ServerResponse, parts: string[], q: URLSearchParams): Promise<void> {
  const [ns, pod, container] = parts;
  if (ns === undefined || pod === undefined || container === undefined) {
    status(res, 400, 'expected /containerLogs/<namespace>/<pod>/<container>');
    return;
  }
  const c = await findContainer(opts.runtime, ns, pod, container, q.get('previous') === 'true');
  const since = numberParam(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  await streamLog(c.logPath, res, {
    follow: q.get('follow') === 'true',
    tailLines: numberParam(q, 'tailLines'),
    timestamps: q.get('timestamps') === 'true',
    limitBytes: numberParam(q, 'limitBytes'),
    sinceMs: since !== undefined ? Date.now() - since * 1000 : sinceTime !== null ? Date.parse(sinceTime) : undefined,
  }, async () => (await opts.runtime.containerStatus(c.id).catch(() => undefined))?.state === ContainerState.Running, () => closed);
  res.end();
}

/** Starts the kubelet API server. */
export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const ca = await ensureCa(join(opts.rootDir, 'pki'), `${opts.nodeName}-ca`);
  const serving = await issueServingCert(ca, [opts.hostIp, opts.nodeName, 'localhost', '127.0.0.1'], opts.nodeName);
  const server: Server = createServer({ key: serving.keyPem, cert: serving.certPem + ca.certPem, ca: opts.clientCaPem, requestCert: true, rejectUnauthorized: false });
  const authorized = (req: IncomingMessage): boolean => (req.socket as TLSSocket).authorized;
  let cgroupHost: Promise<CgroupHost> | undefined;
  const resourceMetrics = async (): Promise<string> => {
    cgroupHost ??= opts.cgroupHost !== undefined ? Promise.resolve(opts.cgroupHost) : detectCgroupHost();
    return renderResourceMetrics(await collectResourceUsage(opts.runtime, await cgroupHost));
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      if (url.pathname === '/healthz') {
        status(res, 200, 'ok');
        return;
      }
      if (!authorized(req)) {
        status(res, 401, 'Unauthorized');
        return;
      }
      const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
      try {
        if (parts[0] === 'pods' && parts.length === 1) {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: opts.pods() }));
        } else if (parts[0] === 'metrics' && parts[1] === 'resource' && parts.length === 2) {
          const body = await resourceMetrics();
          res.writeHead(200, { 'Content-Type': TEXT_CONTENT_TYPE });
          res.end(body);
        } else if (parts[0] === 'containerLogs') {
          await serveLogs(opts, req, res, parts.slice(1), url.searchParams);
        } else {
          status(res, 404, '404 page not found');
        }
      } catch (e) {
        status(res, e instanceof LookupError ? e.code : 500, (e as Error).message);
      }
    })();
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!authorized(req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const handler = isPortForward(req) ? handlePortForward : handleStreamUpgrade;
    handler(opts.runtime, req, socket, head, opts.log).catch((e: unknown) => {
      opts.log(`stream upgrade ${req.url ?? ''}: ${(e as Error).message}`);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.address ?? '0.0.0.0', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

