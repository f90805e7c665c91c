/**
 * Container lifecycle and the kubelet's Events, with a real kubelet, apiserver and kubectl:
 * a pod deleted with a preStop hook runs the hook, then gets SIGTERM and the rest of its grace
 * period; a failing postStart hook kills the container (FailedPostStartHook) and the restarts
 * back off (BackOff); a failing readiness probe is reported (Unhealthy); an image that cannot be
 * pulled gives Pulling / Failed events; all with upstream's reasons and messages.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canRunPods, eventually, startKubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import type { KubeletFixture, KubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { testApiClient } from '../util/http.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';

const IMAGE = 'k8ts.local/e2e/busybox:1';

interface EventJson {
  reason: string;
  message: string;
  type: string;
  source?: { component?: string; host?: string };
  involvedObject: { name: string; fieldPath?: string };
}

describe('kubelet lifecycle hooks and events (real kubelet and kubectl)', { skip: !canRunPods && 'needs root, runc, conmon, catatonit and CNI plugins' }, () => {
  let bed: KubeletTestbed<TestApiServer>;
  let env: ClientEnv;
  let kubelet: KubeletFixture;
  let hostDir: string;

  before(async () => {
    hostDir = await mkdtemp(join(tmpdir(), 'k8ts-hooks-'));
    bed = await startKubeletTestbed('hooks', IMAGE, () => startApiServer());
    kubelet = bed.kubelet;
    env = clientEnv(bed.api.kubeconfig);
  });

  after(async () => {
    env?.cleanup();
    await bed?.stop();
    await rm(hostDir, { recursive: true, force: true });
  });

  async function events(pod: string): Promise<EventJson[]> {
    const list = JSON.parse(await kubectlOk(env, ['get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'json'])) as { items: EventJson[] };
    return list.items;
  }

  async function running(name: string): Promise<{ metadata: { uid: string } }> {
    return eventually(`${name} to run`, async () => {
      const p = JSON.parse(await kubectlOk(env, ['get', 'pod', name, '-o', 'json'])) as { metadata: { uid: string }; status?: { containerStatuses?: { state: { running?: unknown } }[] } };
      return p.status?.containerStatuses?.[0]?.state.running !== undefined ? p : undefined;
    }, 90_000);
  }

  test('deleting a pod runs preStop, then SIGTERM within the grace period; Created/Started/Killing events', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hooks', namespace: 'default' },
      spec: {
        nodeName: kubelet.nodeName, terminationGracePeriodSeconds: 20,
        volumes: [{ name: 'out', hostPath: { path: hostDir } }],
        containers: [{
          name: 'main', image: IMAGE, volumeMounts: [{ name: 'out', mountPath: '/out' }],
          command: ['sh', '-c', 'trap "echo term >> /out/trace; sleep 1; echo done >> /out/trace; exit 0" TERM; echo started >> /out/trace; while true; do sleep 0.2; done'],
          lifecycle: {
            postStart: { exec: { command: ['sh', '-c', 'echo poststart >> /out/trace'] } },
            preStop: { exec: { command: ['sh', '-c', 'echo prestop >> /out/trace; sleep 1; echo prestop-end >> /out/trace'] } },
          },
        }],
      },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const pod = await running('hooks');
    await kubectlOk(env, ['delete', 'pod', 'hooks', '--wait=true'], { timeoutMs: 90_000 });
    const trace = (await readFile(join(hostDir, 'trace'), 'utf8')).split('\n').filter((l) => l !== '');
    // postStart and the main process race (as upstream); the rest is ordered: the hook finishes
    // before SIGTERM, and the TERM handler is not cut short.
    assert.deepEqual(trace.filter((l) => l !== 'poststart' && l !== 'started'), ['prestop', 'prestop-end', 'term', 'done']);
    assert.ok(trace.includes('poststart'));
    assert.deepEqual(await eventually('no leftovers', async () => {
      const left = await kubelet.leftovers(pod.metadata.uid);
      return left.length === 0 ? left : undefined;
    }, 30_000).catch(async () => kubelet.leftovers(pod.metadata.uid)), []);
    const evs = await eventually('the Killing event', async () => {
      const e = await events('hooks');
      return e.some((x) => x.reason === 'Killing') ? e : undefined;
    }, 30_000);
    const byReason = new Map(evs.map((e) => [e.reason, e]));
    assert.equal(byReason.get('Pulled')?.message, `Container image "${IMAGE}" already present on machine`);
    assert.equal(byReason.get('Created')?.message, 'Created container: main');
    assert.equal(byReason.get('Started')?.message, 'Started container main');
    assert.equal(byReason.get('Killing')?.message, 'Stopping container main');
    assert.equal(byReason.get('Started')?.involvedObject.fieldPath, 'spec.containers{main}');
    assert.deepEqual(byReason.get('Started')?.source, { component: 'kubelet', host: kubelet.nodeName });
  });

  test('a failing postStart hook kills the container (FailedPostStartHook), restarts back off; readiness failures are Unhealthy', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'badhook', namespace: 'default' },
      spec: {
        nodeName: kubelet.nodeName, terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'main', image: IMAGE, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'],
          lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo hook-out; exit 7'] } } },
          readinessProbe: { exec: { command: ['sh', '-c', 'echo not-ready; exit 1'] }, periodSeconds: 1, timeoutSeconds: 10 },
        }],
      },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const uid = (JSON.parse(await kubectlOk(env, ['get', 'pod', 'badhook', '-o', 'json'])) as { metadata: { uid: string } }).metadata.uid;
    const evs = await eventually('FailedPostStartHook and BackOff events', async () => {
      const e = await events('badhook');
      return e.some((x) => x.reason === 'FailedPostStartHook') && e.some((x) => x.reason === 'BackOff') ? e : undefined;
    }, 90_000);
    const hook = evs.find((e) => e.reason === 'FailedPostStartHook');
    assert.equal(hook?.type, 'Warning');
    assert.equal(hook?.message, `Exec lifecycle hook ([sh -c echo hook-out; exit 7]) for Container "main" in Pod "badhook_default(${uid})" failed - error: command 'sh -c echo hook-out; exit 7' exited with 7: , message: "hook-out\\n"`);
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'FailedPostStartHook'));
    assert.equal(evs.find((e) => e.reason === 'BackOff')?.message, `Back-off restarting failed container main in pod badhook_default(${uid})`);
    // The probe only runs while the container is up; it may or may not have failed yet.
    for (const e of evs.filter((x) => x.reason === 'Unhealthy')) {
      assert.match(e.message, /^Readiness probe failed: /);
    }
    await kubectlOk(env, ['delete', 'pod', 'badhook', '--wait=true'], { timeoutMs: 60_000 });
  });

  test('a readiness probe that fails is reported as Unhealthy with its output', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unready', namespace: 'default' },
      spec: {
        nodeName: kubelet.nodeName, terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'main', image: IMAGE, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'],
          readinessProbe: { exec: { command: ['sh', '-c', 'echo not-ready; exit 1'] }, periodSeconds: 1, timeoutSeconds: 10 },
        }],
      },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    // (A probe that times out on a loaded machine has no output; wait for one that ran.)
    const ev = await eventually('an Unhealthy event', async () => (await events('unready')).find((e) => e.reason === 'Unhealthy' && e.message.endsWith('\n')), 90_000);
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, 'Readiness probe failed: not-ready\n');
    assert.equal(ev.involvedObject.fieldPath, 'spec.containers{main}');
    await kubectlOk(env, ['delete', 'pod', 'unready', '--wait=true'], { timeoutMs: 60_000 });
  });

  test('the kube-api-access projected volume: a bound token the apiserver accepts, ca.crt, namespace; automountServiceAccountToken: false opts out', async () => {
    const pod = (name: string, automount?: boolean): Record<string, unknown> => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
      spec: { nodeName: kubelet.nodeName, terminationGracePeriodSeconds: 1, ...(automount === undefined ? {} : { automountServiceAccountToken: automount }), containers: [{ name: 'main', image: IMAGE, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'] }] },
    });
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(pod('sa-on')) });
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(pod('sa-off', false)) });
    await running('sa-on');
    await running('sa-off');
    const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
    assert.equal(await kubectlOk(env, ['exec', 'sa-on', '--', 'cat', `${dir}/namespace`]), 'default');
    const ca = (JSON.parse(await kubectlOk(env, ['get', 'configmap', 'kube-root-ca.crt', '-o', 'json'])) as { data: Record<string, string> }).data['ca.crt'];
    assert.equal(await kubectlOk(env, ['exec', 'sa-on', '--', 'cat', `${dir}/ca.crt`]), ca);
    const token = await kubectlOk(env, ['exec', 'sa-on', '--', 'cat', `${dir}/token`]);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { sub: string; exp: number; iat: number; 'kubernetes.io'?: { pod?: { name: string } } };
    assert.equal(claims.sub, 'system:serviceaccount:default:default');
    assert.equal(claims['kubernetes.io']?.pod?.name, 'sa-on');
    assert.ok(claims.exp - claims.iat >= 3600);
    // The apiserver authenticates it as the service account.
    const who = await testApiClient(bed.api.url, bed.api.kubeconfig, token).request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    assert.equal(who.status, 201, who.body);
    assert.equal(who.json<{ status: { userInfo: { username: string } } }>().status.userInfo.username, 'system:serviceaccount:default:default');
    const off = await kubectl(env, ['exec', 'sa-off', '--', 'test', '-e', dir]);
    assert.equal(off.code, 1);
    await kubectlOk(env, ['delete', 'pod', 'sa-on', 'sa-off', '--wait=true'], { timeoutMs: 60_000 });
  });

  test('an image that cannot be pulled: Pulling, then Failed with the error and "Error: ErrImagePull"', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nopull', namespace: 'default' },
      spec: { nodeName: kubelet.nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: '127.0.0.1:1/nothing/here:1' }] },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const evs = await eventually('the ErrImagePull events', async () => {
      const e = await events('nopull');
      return e.some((x) => x.message === 'Error: ErrImagePull') ? e : undefined;
    }, 60_000);
    assert.ok(evs.some((e) => e.reason === 'Pulling' && e.message === 'Pulling image "127.0.0.1:1/nothing/here:1"'));
    assert.ok(evs.some((e) => e.reason === 'Failed' && e.type === 'Warning' && e.message.startsWith('Failed to pull image "127.0.0.1:1/nothing/here:1": ')));
    await kubectlOk(env, ['delete', 'pod', 'nopull', '--wait=true'], { timeoutMs: 60_000 });
  });
});
