import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createSecureServer } from 'node:http2';
import type { Http2SecureServer, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { startApiServer } from '../../test/util/apiserver.ts';
import { ensureClusterPki, issueClientCert } from '../pki/index.ts';
import type { ClusterPki } from '../pki/index.ts';
import { silentLogger } from './log.ts';
import { pathFor } from './paths.ts';
import { RestClient } from './rest.ts';
import { Watch } from './watch.ts';

// An HTTP/2 TLS server (the cluster's PKI, client certificates required) with a scripted handler:
// which session each request came on, and watch-like responses the test writes to by hand.
let dir: string;
let pki: ClusterPki;
let server: Http2SecureServer;
let port: number;
let client: RestClient;
const sessionIds = new WeakMap<object, number>();
let nextSessionId = 0;
const sessions = new Set<ServerHttp2Session>();
let openWatch: ((stream: ServerHttp2Stream) => void) | undefined;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-h2-'));
  pki = await ensureClusterPki(dir);
  server = createSecureServer({ key: pki.serving.keyPem, cert: pki.serving.certPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: true });
  server.on('session', (s: ServerHttp2Session) => {
    sessionIds.set(s, nextSessionId++);
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => {});
  });
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    stream.on('error', () => {});
    const id = stream.session === undefined ? -1 : (sessionIds.get(stream.session) ?? -1);
    const path = String(headers[':path']);
    if (path.startsWith('/watch') && openWatch !== undefined) {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.write(`${JSON.stringify({ socket: id })}\n`);
      openWatch(stream);
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ proto: 'h2', method: headers[':method'], socket: id, body: Buffer.concat(chunks).toString('utf8') }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const admin = await issueClientCert(pki.ca, 'kubernetes-admin', ['system:masters']);
  client = new RestClient({
    connection: { server: `https://127.0.0.1:${port}`, caPem: pki.ca.certPem, certPem: admin.certPem, keyPem: admin.keyPem, insecureSkipTlsVerify: false, namespace: 'default' },
    transport: 'h2',
    logger: silentLogger,
    retryBaseMs: 5,
  });
});

after(async () => {
  client?.close();
  for (const s of sessions) {
    s.destroy();
  }
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  await rm(dir, { recursive: true, force: true });
});

interface Echo {
  readonly proto: string;
  readonly method: string;
  readonly socket: number;
  readonly body: string;
}

/** Resolves once no HTTP/2 session is open on the server. */
async function noSessions(): Promise<void> {
  for (const s of sessions) {
    if (!s.closed || !s.destroyed) {
      await new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
    }
  }
}

/** Reads newline-delimited JSON lines from a stream, one at a time. */
function lineReader(body: Readable): () => Promise<unknown> {
  let pending = '';
  const lines: string[] = [];
  const waiters: ((line: string | undefined) => void)[] = [];
  const push = (line: string | undefined): void => {
    const w = waiters.shift();
    if (w !== undefined) {
      w(line);
    } else if (line !== undefined) {
      lines.push(line);
    }
  };
  body.setEncoding('utf8');
  body.on('data', (d: string) => {
    pending += d;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      push(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  });
  body.on('end', () => push(undefined));
  return async () => {
    const line = lines.shift() ?? (await new Promise<string | undefined>((resolve) => waiters.push(resolve)));
    return line === undefined ? undefined : JSON.parse(line);
  };
}

test('requests are streams on one HTTP/2 session (with the client certificate the server requires)', async () => {
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => client.request<Echo>({ method: i % 2 === 0 ? 'GET' : 'POST', path: `/echo/${i}`, body: i % 2 === 0 ? undefined : { n: i } })));
  assert.ok(replies.every((r) => r.proto === 'h2'));
  assert.equal(new Set(replies.map((r) => r.socket)).size, 1);
  assert.deepEqual(JSON.parse(replies[1].body), { n: 1 });
  assert.equal(replies[1].method, 'POST');
});

test('after the server closes the session (GOAWAY, then gone), a POST goes out on a new session', async () => {
  const first = await client.request<Echo>({ method: 'GET', path: '/echo' });
  for (const s of sessions) {
    s.close();
  }
  await noSessions();
  const next = await client.request<Echo>({ method: 'POST', path: '/echo', body: { again: true } });
  assert.equal(next.proto, 'h2');
  assert.notEqual(next.socket, first.socket);
});

test('after the server destroys the session, a GET is retried on a new session', async () => {
  const first = await client.request<Echo>({ method: 'GET', path: '/echo' });
  for (const s of sessions) {
    s.destroy();
  }
  const next = await client.request<Echo>({ method: 'GET', path: '/echo' });
  assert.notEqual(next.socket, first.socket);
});

test('a watch keeps streaming across GOAWAY while new requests use a new session', async () => {
  let watchRes: ServerHttp2Stream | undefined;
  const opened = new Promise<void>((resolve) => {
    openWatch = (res) => {
      watchRes = res;
      resolve();
    };
  });
  try {
    const body = await client.stream({ method: 'GET', path: '/watch' });
    const next = lineReader(body);
    await opened;
    const { socket: watchSocket } = (await next()) as { socket: number };
    // GOAWAY: the session takes no new streams but the open one carries on.
    const goaways = [...sessions].map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
    for (const s of sessions) {
      s.close();
    }
    const meanwhile = await client.request<Echo>({ method: 'POST', path: '/echo', body: {} });
    assert.notEqual(meanwhile.socket, watchSocket);
    assert.ok(watchRes !== undefined);
    watchRes.write(`${JSON.stringify({ event: 'after-goaway' })}\n`);
    assert.deepEqual(await next(), { event: 'after-goaway' });
    watchRes.end();
    assert.equal(await next(), undefined);
    // With its last stream done, the old session goes away.
    await Promise.all(goaways);
  } finally {
    openWatch = undefined;
    watchRes?.end();
  }
});

test('against a real apiserver: create, watch, bind over HTTP/2; a new session after a restart', { timeout: 120_000 }, async () => {
  const api = await startApiServer();
  const c = await RestClient.fromKubeconfig(api.kubeconfig, { transport: 'h2', logger: silentLogger, retryBaseMs: 50 });
  try {
    const pods = { group: '', version: 'v1', resource: 'pods', namespace: 'default' } as const;
    await c.create({ group: '', version: 'v1', resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    const list = await c.list(pods);
    const watch = await Watch.open(c, pods, { resourceVersion: list.metadata.resourceVersion });
    const seen: string[] = [];
    const watched = (async () => {
      for await (const ev of watch) {
        seen.push(`${ev.type} ${ev.object.metadata.name ?? ''} ${(ev.object as { spec?: { nodeName?: string } }).spec?.nodeName ?? ''}`.trim());
        if (seen.length === 2) {
          return;
        }
      }
    })();
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } };
    const created = await c.create(pods, pod);
    assert.equal(created.metadata.name, 'p1');
    await c.requestWithoutResult({ method: 'POST', path: `${pathFor({ ...pods, name: 'p1' })}/binding`, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { kind: 'Node', name: 'n1' } } });
    await watched;
    assert.deepEqual(seen, ['ADDED p1', 'MODIFIED p1 n1']);
    // A watch open while the server restarts ends (cleanly or with an error) instead of hanging.
    const watch2 = await Watch.open(c, pods, { resourceVersion: created.metadata.resourceVersion });
    const ended = (async () => {
      try {
        for await (const _ of watch2) {
          // events before the restart are fine
        }
      } catch {
        // a cut connection is an error: also an end
      }
    })();
    await api.restart();
    await ended;
    const again = await c.create(pods, { ...pod, metadata: { name: 'p2' } });
    assert.equal(again.metadata.name, 'p2');
    assert.equal((await c.get({ ...pods, name: 'p1' })).metadata.name, 'p1');
  } finally {
    c.close();
    await api.stop();
  }
});
