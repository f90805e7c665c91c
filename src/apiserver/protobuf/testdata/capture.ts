/**
 * Captures the bodies real kubectl sends, for decode.test.ts (run by hand; the output,
 * kubectl-bodies.json, is committed):
 *
 *   node src/apiserver/protobuf/testdata/capture.ts [path/to/kubectl]
 *
 * A tiny mock API server serves each case's objects (testdata/cases.ts); kubectl's one write
 * (`create job --from=cronjob/...` posts a Job, `certificate approve` puts the CSR) is recorded
 * as hex. Where kubectl has a client dry run, the same command with `--dry-run=client -o json`
 * prints the JSON body it would have sent (recorded as `json`); otherwise the served object is
 * recorded (`served`) for the test to compare against.
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

const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const group = (name: string): unknown => ({ name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' } });
const discovery: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [group('batch'), group('certificates.k8s.io')] },
  '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [] },
  '/apis/batch/v1': {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'batch/v1', resources: [
      { name: 'cronjobs', singularName: 'cronjob', namespaced: true, kind: 'CronJob', verbs, shortNames: ['cj'] },
      { name: 'jobs', singularName: 'job', namespaced: true, kind: 'Job', verbs },
    ],
  },
  '/apis/certificates.k8s.io/v1': {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'certificates.k8s.io/v1', resources: [
      { name: 'certificatesigningrequests', singularName: 'certificatesigningrequest', namespaced: false, kind: 'CertificateSigningRequest', verbs, shortNames: ['csr'] },
      { name: 'certificatesigningrequests/approval', singularName: '', namespaced: false, kind: 'CertificateSigningRequest', verbs: ['get', 'patch', 'update'] },
    ],
  },
};

const served = new Map(captureCases.flatMap((c) => Object.entries(c.serve)));
const writes: { contentType: string; body: Buffer }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const send = (code: number, obj: unknown): void => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    if (req.method === 'GET' && (discovery[path] !== undefined || served.has(path))) {
      send(200, discovery[path] ?? served.get(path));
    } else if (req.method === 'POST' || req.method === 'PUT') {
      writes.push({ contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      // The answer is not what the test is about; the object it wrote to (or a stub Job) will do.
      send(req.method === 'POST' ? 201 : 200, served.get(path.replace(/\/approval$/, '')) ?? { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'captured', namespace: 'default' } });
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
    const json = c.dryRun ? JSON.parse(await run([...c.args, '--dry-run=client', '-o', 'json'])) as unknown : undefined;
    writes.length = 0;
    await run([...c.args]);
    const body = writes[0];
    if (writes.length !== 1 || body === undefined || body.contentType !== 'application/vnd.kubernetes.protobuf') {
      throw new Error(`${c.name}: expected one protobuf write, got ${writes.map((p) => p.contentType).join(', ')}`);
    }
    const servedObject = c.dryRun ? undefined : Object.values(c.serve)[0];
    fixtures.push({ name: c.name, kubectl: version.clientVersion.gitVersion, command: `kubectl ${c.args.join(' ')}`, protobuf: body.body.toString('hex'), json, served: servedObject });
  }
  await writeFile(outFile, `${JSON.stringify(fixtures, null, 1)}\n`);
  console.log(`wrote ${outFile.pathname}: ${fixtures.length} cases`);
} finally {
  server.close();
  await rm(dir, { recursive: true, force: true });
}
