/**
 * The kubelet runtime layer end to end, as root with real runc, conmon, catatonit and CNI
 * plugins: pods with shared network namespaces, exec, CRI logs, stop semantics, OOMKilled,
 * adoption by a new runtime instance, and a pull from a real docker-registry with basic auth.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importArchive } from '../../src/kubelet/images/archive.ts';
import { pullImage } from '../../src/kubelet/images/pull.ts';
import { mustRun } from '../../src/kubelet/runtime/command.ts';
import type { ContainerRuntime, ContainerStatus } from '../../src/kubelet/runtime/types.ts';
import { ContainerState } from '../../src/kubelet/runtime/types.ts';
import type { BuiltImage } from '../../src/kubelet/testing/build-image.ts';
import { buildBusyboxImage } from '../../src/kubelet/testing/build-image.ts';
import { buildNginxImage } from '../../src/kubelet/testing/build-nginx.ts';
import type { RuntimeFixture } from '../../src/kubelet/testing/runtime-fixture.ts';
import { createRuntimeFixture } from '../../src/kubelet/testing/runtime-fixture.ts';
import { eventually as waitFor, freePort, httpGet } from '../../src/kubelet/testing/helpers.ts';

const canRun = process.getuid?.() === 0 && ['/usr/sbin/runc', '/usr/bin/conmon', '/usr/bin/catatonit', '/usr/lib/cni/bridge'].every((p) => existsSync(p));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls every 50 ms for up to 30 s (the deadline only bounds a hang). */
const eventually = <T>(what: string, check: () => Promise<T | undefined>): Promise<T> => waitFor(what, check, 30_000, 50);

function exited(rt: ContainerRuntime, id: string): Promise<ContainerStatus> {
  return eventually(`container ${id} to exit`, async () => {
    const s = await rt.containerStatus(id);
    return s.state === ContainerState.Exited ? s : undefined;
  });
}

const pod = (name: string) => ({ metadata: { name, namespace: 'default', uid: `uid-${name}-${process.pid}` } });

describe('kubelet runtime (runc + conmon + CNI)', { skip: !canRun && 'needs root, runc, conmon, catatonit and CNI plugins' }, () => {
  let image: BuiltImage;
  before(async () => {
    image = await buildBusyboxImage({ ref: 'k8ts.local/e2e/busybox:1' });
  });
  after(async () => {
    if (image !== undefined) {
      await rm(image.dir, { recursive: true, force: true });
    }
  });

  async function withFixture(fn: (f: RuntimeFixture) => Promise<void>): Promise<void> {
    const f = await createRuntimeFixture();
    try {
      await importArchive(f.images, image.archivePath);
      await fn(f);
    } finally {
      await f.dispose();
    }
  }

  test('two containers share the pod network; pod IP and hostPort answer from the host; exec (plain, tty), attach, CRI logs', () => withFixture(async ({ runtime }) => {
    const hostPort = await freePort();
    const sb = await runtime.runPodSandbox({ ...pod('web'), portMappings: [{ containerPort: 8080, hostPort, protocol: 'TCP' }] });
    const sandbox = await runtime.podSandboxStatus(sb);
    assert.equal(sandbox.state, 'SANDBOX_READY');
    assert.match(sandbox.ip, /^10\.\d+\.\d+\.\d+$/);

    const web = await runtime.createContainer(sb, {
      metadata: { name: 'httpd' }, image: image.ref,
      command: ['sh', '-c', 'echo "hello from $(hostname)" > /tmp/index.html; echo serving; echo warn >&2; exec httpd -f -p 8080 -h /tmp'],
    });
    assert.equal((await runtime.containerStatus(web)).state, ContainerState.Created);
    await runtime.startContainer(web);
    const fromHost = await eventually('httpd on the pod IP', async () => {
      const r = await httpGet(`http://${sandbox.ip}:8080/index.html`);
      return r.status === 200 ? r.body : undefined;
    });
    assert.equal(fromHost, 'hello from web\n');
    // hostPort through the portmap plugin (route_localnet lets 127.0.0.1 reach it).
    assert.equal((await httpGet(`http://127.0.0.1:${hostPort}/index.html`)).body, 'hello from web\n');

    const client = await runtime.createContainer(sb, {
      metadata: { name: 'client' }, image: image.ref, command: ['sh', '-c'], args: ['wget -q -O- http://127.0.0.1:8080/index.html; exit 3'],
    });
    await runtime.startContainer(client);
    const done = await exited(runtime, client);
    assert.equal(done.exitCode, 3);
    assert.equal(done.reason, 'Error');
    assert.ok(done.finishedAt >= done.startedAt && done.startedAt > 0);
    const clientLog = await readFile(done.logPath, 'utf8');
    assert.match(clientLog, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F hello from web\n$/);

    const webStatus = await runtime.containerStatus(web);
    assert.equal(webStatus.state, ContainerState.Running);
    assert.ok(webStatus.pid > 0);
    assert.ok(webStatus.logPath.endsWith('/httpd/0.log'));
    const webLog = await readFile(webStatus.logPath, 'utf8');
    assert.match(webLog, / stdout F serving\n/);
    assert.match(webLog, / stderr F warn\n/);

    const r = await runtime.execSync(web, ['sh', '-c', 'cat /etc/hostname; id -u; exit 7']);
    assert.equal(r.exitCode, 7);
    assert.equal(r.stdout, 'web\n0\n');

    const session = await runtime.exec(web, { cmd: ['sh', '-c', 'read line; echo "got $line"; exit 2'], stdin: true });
    let out = '';
    session.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    session.stdin?.end('ping\n');
    assert.equal(await session.exit, 2);
    assert.equal(out, 'got ping\n');

    // A tty exec: the command sees a terminal, and resize reaches it.
    const tty = await runtime.exec(web, { cmd: ['sh', '-c', 'tty; stty size; echo ready; read x; for i in $(seq 50); do [ "$(stty size)" = "40 100" ] && break; sleep 0.1; done; stty size; echo "x=$x"; exit 3'], tty: true, stdin: true });
    assert.equal(tty.stderr, null);
    let ttyOut = '';
    tty.stdout.setEncoding('utf8').on('data', (d: string) => {
      ttyOut += d;
    });
    await eventually('the tty exec to be ready', async () => (ttyOut.includes('ready') ? true : undefined));
    await tty.resize(100, 40);
    tty.stdin?.write('hello\r');
    assert.equal(await tty.exit, 3);
    assert.match(ttyOut, /^\/dev\/pts\/\d+\r\n24 80\r\nready\r\n/);
    assert.match(ttyOut, /40 100\r\nx=hello\r\n/);

    // attach: stdin through conmon, output as it is logged.
    const echo = await runtime.createContainer(sb, { metadata: { name: 'echo' }, image: image.ref, command: ['sh', '-c', 'while read l; do echo "echo:$l"; done; echo eof'], stdin: true });
    await runtime.startContainer(echo);
    const attached = await runtime.attach(echo);
    let attachOut = '';
    attached.stdout.setEncoding('utf8').on('data', (d: string) => {
      attachOut += d;
    });
    attached.stdin?.write('one\n');
    await eventually('attached output', async () => (attachOut.includes('echo:one\n') ? true : undefined));
    attached.close();
    await attached.exit;

    assert.deepEqual((await runtime.listContainers({ sandboxId: sb })).map((c) => c.id).sort(), [web, client, echo].sort());
    await runtime.removePodSandbox(sb);
    assert.deepEqual(await runtime.listPodSandboxes(), []);
    assert.deepEqual(await runtime.listContainers(), []);
  }));

  test('stopContainer: SIGTERM is honoured; SIGKILL follows the timeout', () => withFixture(async ({ runtime }) => {
    const sb = await runtime.runPodSandbox(pod('stop'));
    const polite = await runtime.createContainer(sb, { metadata: { name: 'polite' }, image: image.ref, command: ['sh', '-c', 'trap "echo bye; exit 0" TERM; echo up; while true; do sleep 0.1; done'] });
    const stubborn = await runtime.createContainer(sb, { metadata: { name: 'stubborn' }, image: image.ref, command: ['sh', '-c', 'trap "" TERM; echo up; while true; do sleep 0.1; done'] });
    await runtime.startContainer(polite);
    await runtime.startContainer(stubborn);
    for (const id of [polite, stubborn]) {
      const log = (await runtime.containerStatus(id)).logPath;
      await eventually('the trap to be installed', async () => ((await readFile(log, 'utf8')).includes('stdout F up') ? true : undefined));
    }
    await runtime.stopContainer(polite, 30);
    const p = await runtime.containerStatus(polite);
    assert.equal(p.state, ContainerState.Exited);
    assert.equal(p.exitCode, 0);
    assert.equal(p.reason, 'Completed');
    assert.match(await readFile(p.logPath, 'utf8'), / stdout F bye\n/);

    await runtime.stopContainer(stubborn, 1);
    const s = await runtime.containerStatus(stubborn);
    assert.equal(s.state, ContainerState.Exited);
    assert.equal(s.exitCode, 137);
  }));

  test('a container over its memory limit is reported OOMKilled', () => withFixture(async ({ runtime, rootDir }) => {
    const sb = await runtime.runPodSandbox(pod('oom'));
    const hog = await runtime.createContainer(sb, {
      metadata: { name: 'hog' }, image: image.ref, command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=128M', 'count=1'],
      resources: { memoryLimitBytes: 16 * 1024 * 1024, cpuShares: 256, cpuQuota: 50_000 },
    });
    const config = JSON.parse(await readFile(join(rootDir, 'runtime', 'containers', hog, 'config.json'), 'utf8')) as { linux: { resources: unknown } };
    assert.deepEqual(config.linux.resources, { devices: [{ allow: false, access: 'rwm' }], memory: { limit: 16777216 }, cpu: { shares: 256, quota: 50000, period: 100000 } });
    await runtime.startContainer(hog);
    const s = await exited(runtime, hog);
    assert.equal(s.reason, 'OOMKilled');
    assert.equal(s.exitCode, 137);
  }));

  test('a new runtime instance adopts running containers and sees exits that happened while none ran', () => withFixture(async (f) => {
    const sb = await f.runtime.runPodSandbox(pod('adopt'));
    const long = await f.runtime.createContainer(sb, { metadata: { name: 'long' }, image: image.ref, command: ['sleep', '1000'] });
    const quick = await f.runtime.createContainer(sb, { metadata: { name: 'quick' }, image: image.ref, command: ['sh', '-c', 'exit 4'] });
    await f.runtime.startContainer(long);
    await f.runtime.startContainer(quick);
    // The "kubelet" goes away; conmon keeps the containers and records the exit.
    const next = f.newRuntime();
    const sandboxes = await next.listPodSandboxes();
    assert.deepEqual(sandboxes.map((s) => [s.id, s.state]), [[sb, 'SANDBOX_READY']]);
    const q = await exited(next, quick);
    assert.equal(q.exitCode, 4);
    const l = (await next.listContainers({ state: ContainerState.Running })).map((c) => c.id);
    assert.deepEqual(l, [long]);
    assert.equal((await next.execSync(long, ['true'])).exitCode, 0);
    await next.stopContainer(long, 0);
    assert.equal((await next.containerStatus(long)).exitCode, 137);
    await next.removePodSandbox(sb);
    assert.deepEqual(await f.runtime.listPodSandboxes(), []);
  }));

  test('push to a local docker-registry with basic auth and pull it back', () => withFixture(async ({ images }) => {
    const dir = await mkdtemp(join(tmpdir(), 'k8ts-registry-'));
    let registry: ChildProcess | undefined;
    try {
      const port = await freePort();
      const htpasswd = await mustRun('htpasswd', ['-Bbn', 'k8ts', 's3cret']);
      await writeFile(join(dir, 'htpasswd'), htpasswd);
      await writeFile(join(dir, 'config.yml'), [
        'version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`,
        'http:', `  addr: 127.0.0.1:${port}`, 'auth:', '  htpasswd:', '    realm: k8ts-test', `    path: ${join(dir, 'htpasswd')}`, '',
      ].join('\n'));
      registry = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
      await eventually('the registry', async () => ((await httpGet(`http://127.0.0.1:${port}/v2/`)).status === 401 ? true : undefined));
      const target = `127.0.0.1:${port}/k8ts/busybox:1.35`;
      await mustRun('skopeo', ['copy', '--insecure-policy', '--dest-tls-verify=false', '--dest-creds', 'k8ts:s3cret', `docker-archive:${image.archivePath}`, `docker://${target}`]);

      await assert.rejects(pullImage(images, target), /401/);
      const pulled = await pullImage(images, target, { auth: { username: 'k8ts', password: 's3cret' } });
      assert.equal(pulled.id, image.imageId);
      assert.ok(pulled.repoTags.includes(target));
      assert.match(pulled.repoDigests[0], new RegExp(`^127\\.0\\.0\\.1:${port}/k8ts/busybox@sha256:[0-9a-f]{64}$`));
      assert.equal((await images.resolve(pulled.repoDigests[0]))?.id, image.imageId);
      // The same credentials from a registries.yaml-style config.
      const again = await pullImage(images, target, { registries: { mirrors: {}, configs: { [`127.0.0.1:${port}`]: { auth: { auth: Buffer.from('k8ts:s3cret').toString('base64') } } } } });
      assert.equal(again.id, image.imageId);
    } finally {
      registry?.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }));

  // Downloads ~13 MB of Debian packages: opt in with K8TS_E2E_NGINX=1.
  test('an nginx image built from Debian packages serves on the pod IP and stops on SIGQUIT', { skip: process.env.K8TS_E2E_NGINX !== '1' && 'set K8TS_E2E_NGINX=1' }, () => withFixture(async ({ runtime, images }) => {
    const nginx = await buildNginxImage();
    try {
      await importArchive(images, nginx.archivePath);
      const sb = await runtime.runPodSandbox(pod('nginx'));
      const ip = (await runtime.podSandboxStatus(sb)).ip;
      const c = await runtime.createContainer(sb, { metadata: { name: 'nginx' }, image: nginx.ref, resources: { memoryLimitBytes: 128 * 1024 * 1024 } });
      await runtime.startContainer(c);
      const page = await eventually('nginx to serve', async () => {
        const r = await httpGet(`http://${ip}/`);
        return r.status === 200 ? r.body : undefined;
      });
      assert.match(page, /Welcome to nginx!/);
      await runtime.stopContainer(c, 30);
      const s = await runtime.containerStatus(c);
      assert.equal(s.exitCode, 0);
    } finally {
      await rm(nginx.dir, { recursive: true, force: true });
    }
  }));
});
