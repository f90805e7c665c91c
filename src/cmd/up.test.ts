import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '../../test/util/wait.ts';
import { loadKubeconfig, resolveContext } from '../kubeconfig/index.ts';
import { componentKubeconfig, components } from './up.ts';

const k8ts = new URL('../../bin/k8ts', import.meta.url).pathname;

interface Up {
  readonly child: ChildProcess;
  readonly out: () => string;
  /** Resolves when the combined output matches `re` (at least `count` times). */
  waitFor(re: RegExp, count?: number): Promise<void>;
  readonly exited: Promise<number | null>;
}

function startUp(dataDir: string, port: number, kubeconfig: string, home: string): Up {
  const child = spawn(k8ts, ['up', '--data-dir', dataDir, '--secure-port', String(port), '--bind-address', '127.0.0.1', '--no-kubelet', '--no-proxy'], {
    env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer): void => {
    text += d.toString('utf8');
    for (const w of [...waiters]) {
      w();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    out: () => text,
    exited,
    waitFor(re, count = 1) {
      return new Promise((resolve, reject) => {
        const global = new RegExp(re.source, 'g');
        const check = (): void => {
          if ((text.match(global) ?? []).length >= count) {
            waiters.splice(waiters.indexOf(check), 1);
            resolve();
          }
        };
        waiters.push(check);
        void exited.then((code) => reject(new Error(`k8ts up exited (${code ?? '?'}) while waiting for ${re}:\n${text}`)));
        check();
      });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function api(method: string, url: string, ca: string, token: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test('k8ts up: merges kubeconfig, restarts a dead apiserver, stops everything, resumes the same cluster', { timeout: 240_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-up-'));
  const dataDir = join(dir, 'data');
  const kubeconfig = join(dir, 'kube', 'config');
  const pids: number[] = [];
  let up: Up | undefined;
  try {
    await mkdir(join(dir, 'kube'));
    await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster:\n    server: https://other:6443\nusers:\n- name: other\n  user: {}\ncontexts:\n- name: other\n  context:\n    cluster: other\n    user: other\ncurrent-context: other\n');
    const port = await freePort();
    up = startUp(dataDir, port, kubeconfig, dir);
    await up.waitFor(/cluster is up/);
    const cfg = await loadKubeconfig(kubeconfig);
    assert.equal(cfg['current-context'], 'k8ts');
    assert.deepEqual(cfg.contexts.map((c) => c.name).sort(), ['k8ts', 'other']);
    assert.equal(cfg.clusters.find((c) => c.name === 'k8ts')?.cluster.server, `https://127.0.0.1:${port}`);

    const ca = await readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8');
    const token = (await readFile(join(dataDir, 'pki', 'tokens.csv'), 'utf8')).split(',')[0];
    const base = `https://127.0.0.1:${port}`;
    assert.equal(await api('POST', `${base}/api/v1/namespaces/default/configmaps`, ca, token, { metadata: { name: 'survivor' } }), 201);

    // Each component gets its own upstream identity.
    const scheduler = components.find((c) => c.name === 'scheduler');
    assert.ok(scheduler !== undefined);
    const ctx = { dataDir, securePort: port, bindAddress: '127.0.0.1', storageBackend: 'sqlite', etcdServers: [], kubeconfig: join(dataDir, 'admin.kubeconfig'), simNodes: 0, noKubelet: false, noProxy: false };
    const schedKc = await componentKubeconfig(ctx, scheduler, base);
    const conn = await resolveContext(await loadKubeconfig(schedKc));
    const who = await new Promise<string>((resolve, reject) => {
      const req = request(`${base}/apis/authentication.k8s.io/v1/selfsubjectreviews`, { method: 'POST', ca: conn.caPem, cert: conn.certPem, key: conn.keyPem, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }));
    });
    assert.equal((JSON.parse(who) as { status: { userInfo: { username: string } } }).status.userInfo.username, 'system:kube-scheduler');

    // Kill the apiserver: up restarts it.
    const first = Number(/started apiserver \(pid (\d+)\)/.exec(up.out())?.[1]);
    pids.push(first);
    process.kill(first, 'SIGKILL');
    await up.waitFor(/apiserver exited \(SIGKILL\); restarting/);
    await up.waitFor(/serving on/, 2);
    pids.push(...[...up.out().matchAll(/started apiserver \(pid (\d+)\)/g)].map((m) => Number(m[1])));

    up.child.kill('SIGTERM');
    assert.equal(await up.exited, 0);
    for (const pid of pids) {
      assert.equal(alive(pid), false, `pid ${pid} still running`);
    }

    // Same data dir: same cluster.
    up = startUp(dataDir, port, kubeconfig, dir);
    await up.waitFor(/cluster is up/);
    pids.push(...[...up.out().matchAll(/started apiserver \(pid (\d+)\)/g)].map((m) => Number(m[1])));
    assert.equal(await api('GET', `${base}/api/v1/namespaces/default/configmaps/survivor`, ca, token), 200);
    up.child.kill('SIGINT');
    assert.equal(await up.exited, 0);
    for (const pid of pids) {
      assert.equal(alive(pid), false, `pid ${pid} still running`);
    }
  } finally {
    if (up !== undefined && up.child.exitCode === null) {
      up.child.kill('SIGKILL');
    }
    for (const pid of pids) {
      if (alive(pid)) {
        process.kill(pid, 'SIGKILL');
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
});
