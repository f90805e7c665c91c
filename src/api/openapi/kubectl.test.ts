/**
 * Drives the real kubectl 1.35 against a tiny HTTP server that serves only discovery and our
 * OpenAPI documents (plus a create endpoint that echoes), to check that kubectl accepts them:
 * `explain` renders our schemas, and `create` passes its field-validation check.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { ResourceDescription } from '../resource.ts';
import { builtinResources } from '../resources/index.ts';
import { registerCustomSchema, unregisterCustomSchema } from '../schema/index.ts';
import { openApiV2, openApiV3Document, openApiV3Index } from './index.ts';
import { groupVersionPath } from './naming.ts';

const run = promisify(execFile);
const kubectlPath = new URL('../../../.tools/kubectl/kubectl', import.meta.url).pathname;

const cronTab: ResourceDescription = {
  group: 'stable.example.com', version: 'v1', kind: 'CronTab', listKind: 'CronTabList', resource: 'crontabs', singular: 'crontab', namespaced: true,
  shortNames: ['ct'], categories: [], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], subresources: [], hasStatus: false, bumpsGeneration: true, fieldSelectors: {},
};
const cronTabGvk = { group: 'stable.example.com', version: 'v1', kind: 'CronTab' };
const resources: readonly ResourceDescription[] = [...builtinResources, cronTab];

let server: Server;
let dir: string;
let kubeconfig: string;
const posts: string[] = [];

function discovery(path: string): unknown {
  if (path === '/api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: 'localhost' }] };
  }
  const groups = new Map<string, Set<string>>();
  for (const r of resources) {
    if (r.group !== '') {
      groups.set(r.group, (groups.get(r.group) ?? new Set()).add(r.version));
    }
  }
  if (path === '/apis') {
    return {
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: [...groups].map(([name, vs]) => ({ name, versions: [...vs].map((v) => ({ groupVersion: `${name}/${v}`, version: v })), preferredVersion: { groupVersion: `${name}/${[...vs][0]}`, version: [...vs][0] } })),
    };
  }
  const inGv = resources.filter((r) => `/${groupVersionPath(r.group, r.version)}` === path);
  if (inGv.length === 0) {
    return undefined;
  }
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: inGv[0]!.group === '' ? inGv[0]!.version : `${inGv[0]!.group}/${inGv[0]!.version}`,
    resources: inGv.map((r) => ({ name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, shortNames: r.shortNames })),
  };
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const send = (code: number, body: unknown): void => {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'POST') {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posts.push(`${url.pathname}?${url.searchParams.toString()}`);
      send(201, JSON.parse(body));
    });
    return;
  }
  if (url.pathname === '/openapi/v3') {
    send(200, openApiV3Index(resources));
  } else if (url.pathname.startsWith('/openapi/v3/')) {
    const doc = openApiV3Document(url.pathname.slice('/openapi/v3/'.length), resources);
    send(doc === undefined ? 404 : 200, doc ?? { kind: 'Status', code: 404 });
  } else if (url.pathname === '/openapi/v2') {
    if ((req.headers.accept ?? '').includes('protobuf')) {
      send(406, { kind: 'Status', code: 406 });
    } else {
      send(200, openApiV2(resources));
    }
  } else {
    const d = discovery(url.pathname);
    send(d === undefined ? 404 : 200, d ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
  }
}

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(kubectlPath, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 60_000 });
  return stdout;
}

before(async () => {
  registerCustomSchema(cronTabGvk, {
    type: 'object',
    properties: {
      spec: { type: 'object', description: 'Spec of the cron tab.', properties: { cronSpec: { type: 'string', description: 'The cron schedule.' }, replicas: { type: 'integer', minimum: 1 } } },
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'k8ts-openapi-'));
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: http://127.0.0.1:${port}\ncontexts:\n- name: t\n  context:\n    cluster: t\n    user: u\ncurrent-context: t\nusers:\n- name: u\n  user: {}\n`);
});

after(async () => {
  unregisterCustomSchema(cronTabGvk);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

test('kubectl explain renders a built-in nested field from our v3 document', async () => {
  const out = await kubectl('explain', 'pods.spec.containers');
  assert.match(out, /KIND:\s+Pod/);
  assert.match(out, /FIELD:\s+containers <\[\]Container>/);
  assert.match(out, /List of containers belonging to the pod/);
  assert.match(out, /name\s+<string> -required-/);
  assert.match(out, /resources\s+<ResourceRequirements>/);
});

test('kubectl explain follows refs into another group-version document', async () => {
  const out = await kubectl('explain', 'deployment.spec.strategy.rollingUpdate.maxSurge');
  assert.match(out, /GROUP:\s+apps/);
  assert.match(out, /FIELD:\s+maxSurge <IntOrString>/);
});

test('kubectl explain renders a custom resource from its CRD schema', async () => {
  const out = await kubectl('explain', 'crontab.spec');
  assert.match(out, /KIND:\s+CronTab/);
  assert.match(out, /Spec of the cron tab/);
  assert.match(out, /cronSpec\s+<string>/);
  assert.match(out, /replicas\s+<integer>/);
});

test('kubectl create passes the field-validation check and sends fieldValidation=Strict', async () => {
  const manifest = join(dir, 'deploy.json');
  await writeFile(manifest, JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'demo', namespace: 'default' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }));
  const out = await kubectl('create', '-f', manifest);
  assert.match(out, /deployment.apps\/demo created/);
  assert.ok(posts.some((p) => p.startsWith('/apis/apps/v1/namespaces/default/deployments?') && p.includes('fieldValidation=Strict')), posts.join('\n'));
});
