/**
 * Captures the bodies real kubectl sends, for decode.test.ts (run by hand; the output,
 * kubectl-bodies.json, is committed):
 *
 *   node src/apiserver/protobuf/testdata/capture.ts [path/to/kubectl]
 *
 * A tiny mock API server serves each case's CronJob; `kubectl create job --from=cronjob/...`
 * posts the Job as protobuf (recorded as hex), and the same command with `--dry-run=client -o
 * json` prints the JSON body kubectl would have sent instead (recorded as the expectation).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { captureCases } from './cases.ts';

const kubectl = process.argv[2] ?? '.tools/kubectl/kubectl';
const outFile = new URL('./kubectl-bodies.json', import.meta.url);

const jobVerbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const discovery: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'batch', versions: [{ groupVersion: 'batch/v1', version: 'v1' }], preferredVersion: { groupVersion: 'batch/v1', version: 'v1' } }] },
  '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [] },
  '/apis/batch/v1': {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'batch/v1', resources: [
      { name: 'cronjobs', singularName: 'cronjob', namespaced: true, kind: 'CronJob', verbs: jobVerbs, shortNames: ['cj'] },
      { name: 'jobs', singularName: 'job', namespaced: true, kind: 'Job', verbs: jobVerbs },
    ],
  },
};

const cronJobs = new Map(captureCases.map((c) => [c.cronJob.metadata.name, c.cronJob]));
const posted: { contentType: string; body: Buffer }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const send = (code: number, obj: unknown): void => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    const cron = /^\/apis\/batch\/v1\/namespaces\/default\/cronjobs\/([^/]+)$/.exec(path);
    if (discovery[path] !== undefined) {
      send(200, discovery[path]);
    } else if (req.method === 'GET' && cron !== null && cronJobs.has(cron[1] ?? '')) {
      send(200, cronJobs.get(cron[1] ?? ''));
    } else if (req.method === 'POST' && path === '/apis/batch/v1/namespaces/default/jobs') {
      posted.push({ contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      send(201, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'captured', namespace: 'default' } });
    } else {
      send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    }
  });
});
server.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const dir = await mkdtemp(join(tmpdir(), 'pb-capture-'));
try {
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}` } }],
    users: [{ name: 'u', user: { token: 't' } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
  }));
  const run = async (args: string[]): Promise<string> =>
    (await promisify(execFile)(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { env: { HOME: dir, PATH: process.env.PATH ?? '' } })).stdout;
  const version = JSON.parse(await run(['version', '--client', '-o', 'json'])) as { clientVersion: { gitVersion: string } };
  const fixtures = [];
  for (const c of captureCases) {
    const args = ['create', 'job', `job-${c.cronJob.metadata.name}`, `--from=cronjob/${c.cronJob.metadata.name}`];
    const json = JSON.parse(await run([...args, '--dry-run=client', '-o', 'json'])) as unknown;
    posted.length = 0;
    await run(args);
    const body = posted[0];
    if (posted.length !== 1 || body === undefined || body.contentType !== 'application/vnd.kubernetes.protobuf') {
      throw new Error(`${c.name}: expected one protobuf POST, got ${posted.map((p) => p.contentType).join(', ')}`);
    }
    fixtures.push({ name: c.name, kubectl: version.clientVersion.gitVersion, command: `kubectl ${args.join(' ')}`, protobuf: body.body.toString('hex'), json });
  }
  await writeFile(outFile, `${JSON.stringify(fixtures, null, 1)}\n`);
  console.log(`wrote ${outFile.pathname}: ${fixtures.length} cases`);
} finally {
  server.close();
  await rm(dir, { recursive: true, force: true });
}
