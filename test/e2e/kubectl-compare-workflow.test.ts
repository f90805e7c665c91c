/**
 * K4's workflow verbs, real kubectl 1.35 vs `k8ts kubectl`, against an apiserver with the
 * controller-manager, scheduler and two simulated nodes: rollout, wait, cordon/uncordon, taint,
 * drain and auth. Mutating commands run twice; `between` puts the state back so both runs start
 * from the same cluster.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { assertSameAsKubectl } from '../util/kubectl-compare.ts';

const k8ts = new URL('../../bin/k8ts', import.meta.url).pathname;
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) {
    c.kill('SIGKILL');
  }
});

function startComponent(args: readonly string[]): { stop(): Promise<void>; output(): string } {
  const child = spawn(k8ts, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => live.delete(child));
  return {
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

const webManifest = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    // Pinned to wf-0 so that draining wf-1 only ever sees the one pod the drain test puts there.
    template: { metadata: { labels: { app: 'web' } }, spec: { nodeName: 'wf-0', containers: [{ name: 'web', image: 'nginx:1' }] } },
  },
});

describe('kubectl workflow verbs: real kubectl 1.35 vs k8ts kubectl', { timeout: 200_000 }, () => {
  let api: TestApiServer;
  let env: ClientEnv;
  const components: { stop(): Promise<void>; output(): string }[] = [];

  before(async () => {
    api = await startApiServer();
    env = clientEnv(api.kubeconfig);
    components.push(startComponent(['controller-manager', `--kubeconfig=${api.kubeconfig}`, '--leader-elect-lease-duration=8s', '--leader-elect-renew-deadline=6s', '--leader-elect-retry-period=1s']));
    components.push(startComponent(['scheduler', `--kubeconfig=${api.kubeconfig}`]));
    components.push(startComponent(['sim-nodes', '--kubeconfig', api.kubeconfig, '--count', '2', '--name-prefix', 'wf-', '--pod-termination-delay', '200ms']));
    for (let i = 0; ; i++) {
      const r = await kubectl(env, ['wait', '--for=condition=Ready', 'node', '-l', 'sim.k8ts.dev/node=true', '--timeout=60s']);
      if (r.code === 0 && r.stdout.split('\n').filter((l) => l !== '').length === 2) {
        break;
      }
      assert.ok(i < 60, `nodes never became Ready: ${r.stderr}\n${components.map((c) => c.output()).join('\n')}`);
      await new Promise((res) => setTimeout(res, 1000));
    }
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: webManifest });
    await kubectlOk(env, ['rollout', 'status', 'deploy/web', '--timeout=90s'], { timeoutMs: 100_000 });
  });

  after(async () => {
    for (const c of components.reverse()) {
      await c.stop();
    }
    await api?.stop();
    env?.cleanup();
  });

  test('rollout', async () => {
    await assertSameAsKubectl(env, ['rollout', 'status', 'deploy/web']);
    await assertSameAsKubectl(env, ['rollout', 'status']);
    await assertSameAsKubectl(env, ['rollout', 'status', 'pod/x']);
    await assertSameAsKubectl(env, ['rollout', 'history', 'deployment', 'web']);
    await assertSameAsKubectl(env, ['rollout', 'history', 'deploy/web', '--revision=1']);
    await assertSameAsKubectl(env, ['rollout', 'history', 'deploy/web', '--revision=42']);
    await assertSameAsKubectl(env, ['rollout', 'history', 'deploy/web', '--revision=1', '-o', 'name']);
    await assertSameAsKubectl(env, ['rollout', 'undo', 'deploy/web', '--to-revision=42']);
    const unpause = async (): Promise<void> => void (await kubectlOk(env, ['patch', 'deploy/web', '--type=merge', '-p', '{"spec":{"paused":false}}']));
    const pause = async (): Promise<void> => void (await kubectlOk(env, ['patch', 'deploy/web', '--type=merge', '-p', '{"spec":{"paused":true}}']));
    await assertSameAsKubectl(env, ['rollout', 'pause', 'deploy/web'], { between: unpause });
    await assertSameAsKubectl(env, ['rollout', 'pause', 'deploy/web']);
    await assertSameAsKubectl(env, ['rollout', 'resume', 'deploy/web'], { between: pause });
    await assertSameAsKubectl(env, ['rollout', 'restart', 'deploy/web']);
  });

  test('wait', async () => {
    await assertSameAsKubectl(env, ['wait', '--for=condition=Available', 'deploy/web']);
    await assertSameAsKubectl(env, ['wait', '--for=jsonpath={.spec.replicas}=2', 'deployment', 'web']);
    await assertSameAsKubectl(env, ['wait', '--for=condition=Ready', 'pod/nope']);
    await assertSameAsKubectl(env, ['wait', '--for=condition=Nope', 'deploy/web', '--timeout=0']);
    await assertSameAsKubectl(env, ['wait', '--for=delete', 'pod/nope']);
  });

  test('cordon, uncordon, taint', async () => {
    await assertSameAsKubectl(env, ['cordon', 'wf-0'], { between: async () => void (await kubectlOk(env, ['uncordon', 'wf-0'])) });
    await assertSameAsKubectl(env, ['uncordon', 'node/wf-0'], { between: async () => void (await kubectlOk(env, ['cordon', 'wf-0'])) });
    await assertSameAsKubectl(env, ['cordon', 'nope']);
    await assertSameAsKubectl(env, ['taint', 'nodes', 'wf-0', 'dedicated=web:NoSchedule'], { between: async () => void (await kubectlOk(env, ['taint', 'nodes', 'wf-0', 'dedicated-'])) });
    await assertSameAsKubectl(env, ['taint', 'nodes', 'wf-0', 'dedicated=web:NoSchedule']);
    await assertSameAsKubectl(env, ['taint', 'nodes', 'wf-0', 'gone:NoExecute-']);
  });

  test('drain', async () => {
    const lonePod = async (): Promise<void> => {
      await kubectl(env, ['uncordon', 'wf-1']);
      await kubectl(env, ['delete', 'pod', 'lone', '--ignore-not-found', '--wait=true']);
      await kubectlOk(env, ['run', 'lone', '--image=busybox', '--restart=Never', '--overrides', '{"spec":{"nodeName":"wf-1"}}', '--', 'sleep', '1d']);
    };
    await lonePod();
    await assertSameAsKubectl(env, ['drain', 'wf-1'], { between: lonePod });
    await lonePod();
    await assertSameAsKubectl(env, ['drain', 'wf-1', '--force', '--grace-period=0', '--timeout=60s'], { between: lonePod, timeoutMs: 90_000 });
  });

  test('auth', async () => {
    await assertSameAsKubectl(env, ['auth', 'can-i', 'get', 'pods']);
    await assertSameAsKubectl(env, ['auth', 'whoami']);
    await assertSameAsKubectl(env, ['auth', 'can-i', '--list']);
  });
});
