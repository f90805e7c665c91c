/**
 * The HorizontalPodAutoscaler on real metrics, as in upstream's php-apache walkthrough: a real
 * apiserver (metrics.k8s.io scraped every 2 s), a real kubelet running a Deployment's pods under
 * runc, and the controller-manager as its own process (deployment, replicaset and HPA
 * controllers, HPA sync every 2 s). Pods burning CPU far above their request make the HPA scale
 * the Deployment up to maxReplicas; once the pods idle, a behavior without a scale-down window
 * brings it back to minReplicas. Real kubectl 1.35 reads the HPA.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canRunPods, startKubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import type { KubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { startControllerManager } from '../util/controller-manager.ts';
import type { TestControllerManager } from '../util/controller-manager.ts';
import { until } from '../util/wait.ts';

const IMAGE = 'k8ts.local/e2e/busybox:1';

interface HpaJson {
  status?: {
    currentReplicas?: number;
    desiredReplicas?: number;
    currentMetrics?: { type: string; resource?: { name: string; current: { averageUtilization?: number; averageValue?: string } } }[];
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

describe('HorizontalPodAutoscaler on real metrics (kubelet, metrics.k8s.io, controller-manager)', { skip: !canRunPods && 'needs root, runc, conmon, catatonit and CNI plugins' }, () => {
  let bed: KubeletTestbed<TestApiServer>;
  let env: ClientEnv;
  let cm: TestControllerManager | undefined;
  let nodeName = '';

  before(async () => {
    bed = await startKubeletTestbed('hpa', IMAGE, () => startApiServer({ extraArgs: ['--metric-resolution', '2s'] }));
    env = clientEnv(bed.api.kubeconfig);
    nodeName = bed.kubelet.nodeName;
    cm = startControllerManager(bed.api.kubeconfig, ['--controllers=deployment-controller,replicaset-controller,horizontal-pod-autoscaler-controller', '--horizontal-pod-autoscaler-sync-period=2s']);
  });

  after(async () => {
    await cm?.stop();
    env?.cleanup();
    await bed?.stop();
  });

  const hpa = async (): Promise<HpaJson> => JSON.parse(await kubectlOk(env, ['get', 'hpa', 'burn', '-o', 'json'])) as HpaJson;
  const replicas = async (): Promise<number> => Number((await kubectlOk(env, ['get', 'deployment', 'burn', '-o', 'jsonpath={.spec.replicas}'])).trim());
  const context = (): string => `controller-manager output:\n${cm?.log() ?? ''}`;

  test('busy pods scale the Deployment up to maxReplicas; idle ones back down to minReplicas', { timeout: 240_000 }, async () => {
    // Pods pinned to the node (no scheduler here): a busy loop capped at 150m against a 50m request, ~300% of it.
    const deployment = (script: string) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'burn', namespace: 'default' },
      spec: {
        replicas: 1, selector: { matchLabels: { app: 'burn' } },
        template: {
          metadata: { labels: { app: 'burn' } },
          spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: IMAGE, command: ['sh', '-c', script], resources: { requests: { cpu: '50m' }, limits: { cpu: '150m' } } }] },
        },
      },
    });
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(deployment('while :; do :; done')) });
    const autoscaler = {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'burn', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'burn' }, minReplicas: 1, maxReplicas: 3,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
      },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(autoscaler) });

    await until('the Deployment scaled to maxReplicas', async () => ((await replicas()) === 3 ? true : undefined), { timeoutMs: 120_000, intervalMs: 500, context });
    const events = await kubectlOk(env, ['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=burn', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /^SuccessfulRescale: New size: 3; reason: cpu resource utilization \(percentage of request\) above target$/m);
    const up = await hpa();
    const cpu = up.status?.currentMetrics?.[0]?.resource?.current;
    assert.ok((cpu?.averageUtilization ?? 0) > 50, `observed utilization ${JSON.stringify(up.status?.currentMetrics)}`);
    assert.match(cpu?.averageValue ?? '', /^\d+m$/);
    const conditions = Object.fromEntries((up.status?.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
    assert.equal(conditions.ScalingActive, 'True/ValidMetricFound');
    assert.match(await kubectlOk(env, ['get', 'hpa', 'burn']), /burn\s+Deployment\/burn\s+cpu: \d+%\/50%\s+1\s+3\s+\d\s+/);
    assert.match(await kubectlOk(env, ['describe', 'hpa', 'burn']), /ScalingActive\s+True\s+ValidMetricFound\s+the HPA was able to successfully calculate a replica count from cpu resource utilization \(percentage of request\)/);

    // Idle pods (a new template: the Deployment rolls them; the patch leaves replicas to the HPA); no scale-down window: back to minReplicas.
    await kubectlOk(env, ['patch', 'deployment', 'burn', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/command/2', value: 'trap "exit 0" TERM; sleep 3600 & wait' }])]);
    await until('the Deployment scaled back to minReplicas', async () => ((await replicas()) === 1 ? true : undefined), { timeoutMs: 150_000, intervalMs: 500, context });
    const downEvents = await kubectl(env, ['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=burn', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);
    assert.match(downEvents.stdout, /^New size: 1; reason: All metrics below target$/m);
    await kubectlOk(env, ['delete', 'hpa', 'burn']);
    await kubectlOk(env, ['delete', 'deployment', 'burn']);
  });
});
