/**
 * The apiserver side of `pods/log`, `pods/exec`, `pods/attach` and `pods/portforward`: find
 * the pod's node, dial its kubelet (InternalIP, daemonEndpoints port) over TLS with the
 * apiserver's kubelet client certificate, and relay. Logs are proxied as a plain streamed GET;
 * exec/attach/port-forward upgrades are relayed byte for byte once the request is rewritten to
 * the kubelet's path, so WebSocket and SPDY both pass through (as upstream's upgrade-aware proxy).
 */
import { request } from 'node:https';
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { StatusError, StatusReason } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ConnectHandler, ConnectRequest } from '../http/index.ts';
import { rejectUpgrade } from '../transport/index.ts';
import type { AnyResponse, UpgradeHandler } from '../transport/index.ts';
import type { ServerDeps } from '../server.ts';

interface PodShape extends KubeObject {
  spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] };
}

/** Where a node's kubelet listens. */
interface KubeletAddress {
  readonly host: string;
  readonly port: number;
}

const badRequest = (message: string): StatusError => new StatusError(400, StatusReason.BadRequest, message);

async function getPod(deps: ServerDeps, namespace: string, name: string): Promise<PodShape> {
  const desc = deps.registry.resolve('', 'v1', 'pods');
  if (desc === undefined) {
    throw new StatusError(404, StatusReason.NotFound, 'the server could not find the requested resource');
  }
  return deps.registry.get(desc, namespace, name) as Promise<PodShape>;
}

async function kubeletOf(deps: ServerDeps, pod: PodShape): Promise<KubeletAddress> {
  const nodeName = pod.spec?.nodeName;
  if (nodeName === undefined || nodeName === '') {
    throw badRequest(`pod ${pod.metadata.name ?? ''} does not have a host assigned`);
  }
  const desc = deps.registry.resolve('', 'v1', 'nodes');
  if (desc === undefined) {
    throw new StatusError(404, StatusReason.NotFound, 'the server could not find the requested resource');
  }
  const node = await deps.registry.get(desc, undefined, nodeName);
  const status = node.status as { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } | undefined;
  const addresses = status?.addresses ?? [];
  const host = (addresses.find((a) => a.type === 'InternalIP') ?? addresses.find((a) => a.type === 'ExternalIP') ?? addresses.find((a) => a.type === 'Hostname'))?.address;
  if (host === undefined) {
    throw new StatusError(500, StatusReason.InternalError, `no preferred addresses found; known addresses: []`);
  }
  return { host, port: status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250 };
}

/** The container a request means: the named one (validated), or the only one. */
export function pickContainer(pod: PodShape, requested: string | null): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const init = (pod.spec?.initContainers ?? []).map((c) => c.name);
  const ephemeral = (pod.spec?.ephemeralContainers ?? []).map((c) => c.name);
  const podName = pod.metadata.name ?? '';
  if (requested === null || requested === '') {
    if (names.length === 1) {
      return names[0];
    }
    let msg = `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`;
    if (init.length > 0) {
      msg += ` or one of the init containers: [${init.join(' ')}]`;
    }
    throw badRequest(msg);
  }
  if (![...names, ...init, ...ephemeral].includes(requested)) {
    throw badRequest(`container ${requested} is not valid for pod ${podName}`);
  }
  return requested;
}

const LOG_PARAMS = ['follow', 'previous', 'timestamps', 'tailLines', 'sinceSeconds', 'sinceTime', 'limitBytes'];

async function proxyLogs(deps: ServerDeps, anyRes: AnyResponse, c: ConnectRequest): Promise<void> {
  // HTTP/2's compatibility response has the same methods; one type keeps the calls simple.
  const res = anyRes as ServerResponse;
  const namespace = c.namespace ?? 'default';
  const pod = await getPod(deps, namespace, c.name);
  const container = pickContainer(pod, c.query.get('container'));
  const where = await kubeletOf(deps, pod);
  const q = new URLSearchParams();
  for (const p of LOG_PARAMS) {
    const v = c.query.get(p);
    if (v !== null) {
      q.set(p, v);
    }
  }
  const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(c.name)}/${encodeURIComponent(container)}${q.size > 0 ? `?${q}` : ''}`;
  const { certPem, keyPem } = deps.pki.kubeletClient;
  await new Promise<void>((resolve, reject) => {
    const upstream = request({ host: where.host, port: where.port, path, method: 'GET', cert: certPem, key: keyPem, rejectUnauthorized: false, agent: false }, (kres) => {
      const code = kres.statusCode ?? 500;
      if (code >= 300) {
        let body = '';
        kres.setEncoding('utf8').on('data', (d: string) => {
          body += d;
        });
        kres.on('end', () => reject(new StatusError(code, code === 404 ? StatusReason.NotFound : code === 400 ? StatusReason.BadRequest : StatusReason.InternalError, body.trim())));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      kres.on('data', (d: Buffer) => {
        res.write(d);
      });
      kres.on('end', () => {
        res.end();
        resolve();
      });
      kres.on('error', () => {
        res.end();
        resolve();
      });
    });
    upstream.on('error', (e) => reject(new StatusError(500, StatusReason.InternalError, `Get "https://${where.host}:${where.port}${path}": ${e.message}`)));
    // A client that goes away (kubectl logs -f interrupted) ends the kubelet stream too.
    res.on('close', () => {
      upstream.destroy();
      resolve();
    });
    upstream.end();
  });
}

/** Builds the ConnectHandler for `runApiServer({ createConnect })`: pods/log goes to the kubelet. */
export function createKubeletConnect(deps: ServerDeps): ConnectHandler {
  return async (_req, res, c) => {
    if (c.desc.group !== '' || c.desc.resource !== 'pods') {
      throw new StatusError(404, StatusReason.NotFound, 'the server could not find the requested resource');
    }
    if (c.subresource === 'log') {
      await proxyLogs(deps, res, c);
      return;
    }
    // exec/attach/portforward arrive as upgrades; a plain request cannot carry them.
    throw badRequest(`Upgrade request required`);
  };
}

/** Builds the UpgradeHandler for `runApiServer({ createUpgrade })`: exec, attach and portforward relayed to the kubelet. */
export function createKubeletUpgrade(deps: ServerDeps): UpgradeHandler {
  return async (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'https://apiserver');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/.exec(url.pathname);
    if (m === null) {
      rejectUpgrade(socket, new StatusError(404, StatusReason.NotFound, 'the server could not find the requested resource'));
      return;
    }
    const namespace = decodeURIComponent(m[1]);
    const name = decodeURIComponent(m[2]);
    const sub = m[3];
    let path: string;
    let where: KubeletAddress;
    try {
      const pod = await getPod(deps, namespace, name);
      where = await kubeletOf(deps, pod);
      if (sub === 'portforward') {
        path = `/portForward/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}${url.search}`;
      } else {
        const container = pickContainer(pod, url.searchParams.get('container'));
        const q = new URLSearchParams(url.searchParams);
        q.delete('container');
        path = `/${sub}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}${q.size > 0 ? `?${q}` : ''}`;
      }
    } catch (e) {
      rejectUpgrade(socket, e instanceof StatusError ? e : new StatusError(500, StatusReason.InternalError, (e as Error).message));
      return;
    }
    const { certPem, keyPem } = deps.pki.kubeletClient;
    const upstream = tlsConnect({ host: where.host, port: where.port, cert: certPem, key: keyPem, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    upstream.on('error', (e) => {
      rejectUpgrade(socket, new StatusError(500, StatusReason.InternalError, `error dialing backend: ${e.message}`));
      upstream.destroy();
    });
    upstream.once('secureConnect', () => {
      const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${where.host}:${where.port}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const h = req.rawHeaders[i].toLowerCase();
        if (h !== 'host' && h !== 'authorization' && h !== 'impersonate-user' && h !== 'impersonate-group') {
          lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        }
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) {
        upstream.write(head);
      }
      upstream.pipe(socket);
      socket.pipe(upstream);
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
  };
}
