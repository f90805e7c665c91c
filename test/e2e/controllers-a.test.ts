/**
 * Core controllers (part A) against a real apiserver and real `k8ts controller-manager`
 * processes, driven with real kubectl 1.35. A tiny in-test "kubelet" marks pods Running/Ready
 * (with a pod IP) through pods/status and removes pods being deleted, since no nodes run here.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { RestClient } from '../../src/client/rest.ts';
import { silentLogger } from '../../src/client/log.ts';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { until } from '../util/wait.ts';

const k8ts = new URL('../../bin/k8ts', import.meta.url).pathname;
const pods = { group: '', version: 'v1', resource: 'pods' } as const;

interface Pod extends KubeObject {
  spec?: { containers?: { image?: string }[] };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

interface ManagerProcess {
  readonly child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const managers = new Set<ManagerProcess>();

function startManager(kubeconfig: string, extra: readonly string[] = []): ManagerProcess {
  const child = spawn(k8ts, ['controller-manager', `--kubeconfig=${kubeconfig}`, '--leader-elect-lease-duration=8s', '--leader-elect-renew-deadline=6s', '--leader-elect-retry-period=1s', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString('utf8')).slice(-40_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const m: ManagerProcess = {
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill(signal);
        await exited;
      }
      managers.delete(m);
    },
  };
  managers.add(m);
  return m;
}

/** Plays kubelet for pods: Pending → Running/Ready with an IP; deleting pods are removed. */
function fakeKubelet(client: RestClient): { stop(): Promise<void> } {
  let stopped = false;
  let ip = 2;
  const loop = (async () => {
    while (!stopped) {
      const list = await client.list<Pod>(pods).catch(() => undefined);
      for (const p of list?.items ?? []) {
        const ref = { ...pods, namespace: p.metadata.namespace, name: p.metadata.name };
        if (p.metadata.deletionTimestamp !== undefined) {
          await client.delete(ref, { gracePeriodSeconds: 0 }).catch(() => {});
          continue;
        }
        if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true) {
          continue;
        }
        const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        p.status = { phase: 'Running', podIP: `10.244.${Math.floor(ip / 250)}.${(ip % 250) + 2}`, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now } as { type: string; status: string }] };
        ip++;
        await client.update({ ...ref, subresource: 'status' }, p).catch(() => {});
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

describe('core controllers (part A) with a real controller-manager', () => {
  let server: TestApiServer;
  let client: RestClient;
  let env: ClientEnv;
  let kubelet: { stop(): Promise<void> } | undefined;
  let manager: ManagerProcess;

  before(async () => {
    server = await startApiServer({ backend: 'sqlite' });
    client = await RestClient.fromKubeconfig(server.kubeconfig, { component: 'e2e', logger: silentLogger, qps: 0 });
    env = clientEnv(server.kubeconfig);
    manager = startManager(server.kubeconfig);
    kubelet = fakeKubelet(client);
  });
  after(async () => {
    await kubelet?.stop();
    for (const m of [...managers]) {
      await m.stop('SIGKILL');
    }
    client?.close();
    await server?.stop();
  });

  const podsOf = async (ns: string, selector: string): Promise<Pod[]> => (await client.list<Pod>({ ...pods, namespace: ns }, { labelSelector: selector })).items;

  test('a new namespace gets the default ServiceAccount and kube-root-ca.crt', async () => {
    await kubectlOk(env, ['create', 'namespace', 'fresh']);
    await until('default SA', async () => ((await kubectl(env, ['get', 'sa', 'default', '-n', 'fresh'])).code === 0 ? true : undefined), { context: () => [...managers].map((m) => m.output()).join('\n---\n') });
    const ca = await until('kube-root-ca.crt', async () => {
      const r = await kubectl(env, ['get', 'configmap', 'kube-root-ca.crt', '-n', 'fresh', '-o', 'jsonpath={.data.ca\\.crt}']);
      return r.code === 0 && r.stdout.includes('BEGIN CERTIFICATE') ? r.stdout : undefined;
    }, { context: () => [...managers].map((m) => m.output()).join('\n---\n') });
    assert.match(ca, /END CERTIFICATE/);
  });

  test('deployment: create, rollout status, scale, rolling update within maxUnavailable, undo', async () => {
    await kubectlOk(env, ['create', 'deployment', 'web', '--image=nginx:1.26', '--replicas=4']);
    await kubectlOk(env, ['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 70_000 });
    const rs = JSON.parse(await kubectlOk(env, ['get', 'rs', '-l', 'app=web', '-o', 'json'])) as { items: KubeObject[] };
    assert.equal(rs.items.length, 1);
    const rsName = rs.items[0].metadata.name ?? '';
    const hash = rs.items[0].metadata.labels?.['pod-template-hash'] ?? '';
    assert.equal(rsName, `web-${hash}`);
    assert.equal(rs.items[0].metadata.annotations?.['deployment.kubernetes.io/revision'], '1');

    await kubectlOk(env, ['scale', 'deployment/web', '--replicas=6']);
    await kubectlOk(env, ['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal((await podsOf('default', 'app=web')).filter((p) => p.metadata.deletionTimestamp === undefined).length, 6);

    // maxUnavailable 25% of 6 = 1: available replicas must never drop below 5 during the update.
    let minAvailable = Infinity;
    let minReported = Infinity;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        // Availability as a client sees it: ready pods not being deleted.
        const live = (await podsOf('default', 'app=web')).filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
        minAvailable = Math.min(minAvailable, live.length);
        const d = await client.get<KubeObject & { status?: { availableReplicas?: number } }>({ group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default', name: 'web' });
        minReported = Math.min(minReported, d.status?.availableReplicas ?? 0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await kubectlOk(env, ['set', 'image', 'deployment/web', 'nginx=nginx:1.27']);
    await kubectlOk(env, ['rollout', 'status', 'deployment/web', '--timeout=90s'], { timeoutMs: 100_000 });
    watching = false;
    await watcher;
    assert.ok(minAvailable >= 5, `available dropped to ${minAvailable}`);
    assert.ok(minReported >= 5, `status.availableReplicas dropped to ${minReported}`);
    const updated = (await podsOf('default', 'app=web')).filter((p) => p.metadata.deletionTimestamp === undefined);
    assert.equal(updated.length, 6);
    assert.ok(updated.every((p) => p.spec?.containers?.[0]?.image === 'nginx:1.27'));
    const history = await kubectlOk(env, ['rollout', 'history', 'deployment/web']);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);

    await kubectlOk(env, ['rollout', 'undo', 'deployment/web']);
    await kubectlOk(env, ['rollout', 'status', 'deployment/web', '--timeout=90s'], { timeoutMs: 100_000 });
    const back = JSON.parse(await kubectlOk(env, ['get', 'deployment', 'web', '-o', 'json'])) as { metadata: KubeObject['metadata']; spec: { template: { spec: { containers: { image: string }[] } } } };
    assert.equal(back.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    const rss = JSON.parse(await kubectlOk(env, ['get', 'rs', '-l', 'app=web', '-o', 'json'])) as { items: (KubeObject & { spec: { replicas: number } })[] };
    assert.equal(rss.items.length, 2, 'undo reuses the first replica set');
    assert.equal(rss.items.find((r) => r.metadata.name === rsName)?.spec.replicas, 6);
  });

  test('delete with each propagation policy', async () => {
    for (const name of ['bg', 'fg', 'orph']) {
      await kubectlOk(env, ['create', 'deployment', name, '--image=nginx', '--replicas=2']);
      await kubectlOk(env, ['rollout', 'status', `deployment/${name}`, '--timeout=60s'], { timeoutMs: 70_000 });
    }
    await kubectlOk(env, ['delete', 'deployment', 'bg', '--cascade=background']);
    await until('background: replica set and pods gone', async () => ((await podsOf('default', 'app=bg')).length === 0 && JSON.parse(await kubectlOk(env, ['get', 'rs', '-l', 'app=bg', '-o', 'json'])).items.length === 0 ? true : undefined), { context: () => [...managers].map((m) => m.output()).join('\n---\n') });

    await kubectlOk(env, ['delete', 'deployment', 'fg', '--cascade=foreground', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal((await kubectl(env, ['get', 'deployment', 'fg'])).code, 1, 'the owner is gone once kubectl returns');
    assert.equal(JSON.parse(await kubectlOk(env, ['get', 'rs', '-l', 'app=fg', '-o', 'json'])).items.length, 0, 'dependents went first');

    await kubectlOk(env, ['delete', 'deployment', 'orph', '--cascade=orphan', '--timeout=60s'], { timeoutMs: 70_000 });
    const orphaned = await until('orphaned replica set without owner', async () => {
      const items = (JSON.parse(await kubectlOk(env, ['get', 'rs', '-l', 'app=orph', '-o', 'json'])) as { items: KubeObject[] }).items;
      return items.length === 1 && (items[0].metadata.ownerReferences ?? []).length === 0 ? items[0] : undefined;
    }, { context: () => [...managers].map((m) => m.output()).join('\n---\n') });
    assert.equal((await podsOf('default', 'app=orph')).length, 2, 'pods stay with their replica set');
    assert.ok(orphaned.metadata.name?.startsWith('orph-'));
  });

  test('deleting a non-empty namespace empties and removes it', async () => {
    await kubectlOk(env, ['create', 'namespace', 'doomed']);
    await kubectlOk(env, ['create', 'deployment', 'app', '--image=nginx', '--replicas=2', '-n', 'doomed']);
    await kubectlOk(env, ['create', 'configmap', 'cfg', '--from-literal=a=b', '-n', 'doomed']);
    await until('pods in doomed', async () => ((await podsOf('doomed', 'app=app')).length === 2 ? true : undefined), { context: () => [...managers].map((m) => m.output()).join('\n---\n') });
    await kubectlOk(env, ['delete', 'namespace', 'doomed', '--timeout=90s'], { timeoutMs: 100_000 });
    assert.equal((await kubectl(env, ['get', 'namespace', 'doomed'])).code, 1);
  });

  test('kill -9 mid-rollout: a restarted controller-manager converges with no extra pods', async () => {
    await kubectlOk(env, ['create', 'deployment', 'crash', '--image=nginx:1.26', '--replicas=5']);
    await kubectlOk(env, ['rollout', 'status', 'deployment/crash', '--timeout=60s'], { timeoutMs: 70_000 });
    await kubectlOk(env, ['set', 'image', 'deployment/crash', 'nginx=nginx:1.27']);
    await until('rollout under way', async () => {
      const ps = await podsOf('default', 'app=crash');
      return ps.some((p) => p.spec?.containers?.[0]?.image === 'nginx:1.27') ? true : undefined;
    }, { context: () => [...managers].map((m) => m.output()).join('\n---\n') });
    await manager.stop('SIGKILL');
    manager = startManager(server.kubeconfig);
    await kubectlOk(env, ['rollout', 'status', 'deployment/crash', '--timeout=90s'], { timeoutMs: 100_000 });
    const live = (await podsOf('default', 'app=crash')).filter((p) => p.metadata.deletionTimestamp === undefined);
    assert.equal(live.length, 5);
    assert.ok(live.every((p) => p.spec?.containers?.[0]?.image === 'nginx:1.27'));
  });

  test('two controller-managers: exactly one leads; the other takes over when it dies', async () => {
    const second = startManager(server.kubeconfig);
    const leaseHolder = async (): Promise<string> => {
      const l = await client.get<KubeObject & { spec?: { holderIdentity?: string } }>({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-system', name: 'kube-controller-manager' });
      return l.spec?.holderIdentity ?? '';
    };
    await new Promise((r) => setTimeout(r, 3000));
    assert.doesNotMatch(second.output(), /successfully acquired lease/, 'the second candidate waits');
    const first = await leaseHolder();
    await manager.stop('SIGKILL');
    await until('the second candidate leads', async () => (/successfully acquired lease/.test(second.output()) ? true : undefined), { timeoutMs: 30_000, context: () => [...managers].map((m) => m.output()).join('\n---\n') });
    const now = await leaseHolder();
    assert.notEqual(now, first);
    manager = second;
    // The new leader runs the controllers: a new namespace still gets its default ServiceAccount.
    await kubectlOk(env, ['create', 'namespace', 'after-failover']);
    await until('default SA after failover', async () => ((await kubectl(env, ['get', 'sa', 'default', '-n', 'after-failover'])).code === 0 ? true : undefined), { context: () => [...managers].map((m) => m.output()).join('\n---\n') });
  });
});
