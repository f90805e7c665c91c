/**
 * kubectl port-forward and attach, real kubectl 1.35 vs `k8ts kubectl`, against an apiserver and
 * a real kubelet running busybox pods: forwarding to a pod, a deployment and a service (named
 * targetPort), several ports, `LOCAL:REMOTE`, `:REMOTE`, `--address`; HTTP fetched through each
 * side's tunnel; printed lines compared (random local ports normalised). Errors: pod not found,
 * pod not running, unknown service port, missing ports. attach (`-c`) to a container that prints
 * lines on demand.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canRunPods, eventually, freePort, httpGet, startKubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import type { KubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectlOk, kubectlPath } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { assertSameAsKubectl, k8tsPath } from '../util/kubectl-compare.ts';
import { startLiveTool } from '../util/live-tool.ts';
import type { LiveTool } from '../util/live-tool.ts';

const IMAGE = 'k8ts.local/e2e/busybox:1';
const sides = [
  ['real', kubectlPath, []],
  ['ours', k8tsPath, ['kubectl']],
] as const;

interface Forwarded {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
  readonly bodies: readonly string[];
}

/** Runs one side's port-forward, waits for its listeners, fetches `paths` through the first forwarded port, then interrupts it. */
async function forwardAndFetch(env: ClientEnv, bin: string, prefix: readonly string[], args: readonly string[], paths: readonly string[]): Promise<Forwarded> {
  const live: LiveTool = startLiveTool(bin, env, [...prefix, 'port-forward', ...args]);
  try {
    const port = await eventually(`${bin} port-forward ${args.join(' ')} to listen`, async () => {
      if (live.exited()) {
        throw new Error(`port-forward exited early:\n${live.stdout()}${live.stderr()}`);
      }
      const m = /^Forwarding from (?:127\.0\.0\.1|\[::1\]):(\d+)/m.exec(live.stdout());
      return m === null ? undefined : Number(m[1]);
    }, 30_000);
    const bodies: string[] = [];
    for (const path of paths) {
      const r = await httpGet(`http://127.0.0.1:${port}${path}`);
      bodies.push(`${r.status} ${r.body}`);
    }
    // Each connection prints its line as it is accepted; wait for all of them before stopping.
    await eventually('the Handling connection lines', async () => ((live.stdout().match(/^Handling connection/gm) ?? []).length >= paths.length ? true : undefined), 20_000);
    const code = await live.stop('SIGINT');
    return { stdout: live.stdout(), stderr: live.stderr(), code, bodies };
  } finally {
    await live.stop('SIGKILL');
  }
}

/** Local ports chosen by the kernel differ between the two runs. */
function normalizePorts(text: string, fixed: readonly number[]): string {
  return text.replace(/(127\.0\.0\.1:|\[::1\]:|Handling connection for )(\d+)/g, (all, lead: string, port: string) => (fixed.includes(Number(port)) ? all : `${lead}<port>`));
}

/** Compares one port-forward invocation on both sides: lines printed, exit code, bodies fetched. */
async function assertSameForward(env: ClientEnv, args: readonly string[], paths: readonly string[], fixedPorts: readonly number[] = []): Promise<Forwarded> {
  const [real, ours] = [await forwardAndFetch(env, sides[0][1], sides[0][2], args, paths), await forwardAndFetch(env, sides[1][1], sides[1][2], args, paths)];
  assert.deepEqual(
    { stdout: normalizePorts(ours.stdout, fixedPorts), stderr: ours.stderr, code: ours.code, bodies: ours.bodies },
    { stdout: normalizePorts(real.stdout, fixedPorts), stderr: real.stderr, code: real.code, bodies: real.bodies },
    `port-forward ${args.join(' ')}`,
  );
  return ours;
}

describe('kubectl port-forward and attach: real kubectl 1.35 vs k8ts kubectl', { skip: !canRunPods && 'needs root, runc, conmon, catatonit and CNI plugins', timeout: 300_000 }, () => {
  let bed: KubeletTestbed<TestApiServer>;
  let env: ClientEnv;

  before(async () => {
    bed = await startKubeletTestbed('kstreams', IMAGE, () => startApiServer());
    env = clientEnv(bed.api.kubeconfig);
    const node = bed.kubelet.nodeName;
    const objects = [
      {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          nodeName: node, terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'httpd', image: IMAGE, ports: [{ name: 'http', containerPort: 8080 }],
              command: ['sh', '-c', 'mkdir -p /www; echo "hello from web" > /www/index.html; echo second > /www/two.txt; exec httpd -f -p 8080 -h /www'],
            },
            {
              // Prints a batch of lines each time /tmp/go appears: output on demand, for attach.
              name: 'talker', image: IMAGE,
              command: ['sh', '-c', 'n=0; while true; do if [ -f /tmp/go ]; then rm -f /tmp/go; n=$((n+1)); echo "batch $n line 1"; echo "batch $n line 2"; echo "batch $n on stderr" >&2; fi; sleep 0.2; done'],
            },
          ],
        },
      },
      // Never scheduled anywhere that runs it: stays Pending.
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'waiting' }, spec: { nodeName: 'nowhere', containers: [{ name: 'c', image: IMAGE }] } },
      // No controllers run here: the Deployment object only lends its selector, which matches the web pod.
      {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'webdeploy' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'httpd', image: IMAGE }] } } },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'websvc' }, spec: { selector: { app: 'web' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } },
    ];
    await kubectlOk(env, ['apply', '--validate=false', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });
    await eventually('the web pod to run', async () => {
      const p = JSON.parse(await kubectlOk(env, ['get', 'pod', 'web', '-o', 'json'])) as { status?: { phase?: string; containerStatuses?: { ready?: boolean }[] } };
      return p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).length === 2 ? true : undefined;
    }, 90_000);
    // httpd is up once a fetch from inside the pod works.
    await eventually('httpd to answer', async () => ((await kubectlOk(env, ['exec', 'web', '-c', 'talker', '--', 'wget', '-qO-', 'http://127.0.0.1:8080/index.html']).catch(() => '')) === 'hello from web\n' ? true : undefined), 60_000);
  });

  after(async () => {
    env?.cleanup();
    await bed?.stop();
  });

  test('port-forward to a pod, a random local port', async () => {
    const r = await assertSameForward(env, ['pod/web', ':8080'], ['/index.html', '/two.txt']);
    assert.deepEqual(r.bodies, ['200 hello from web\n', '200 second\n']);
    assert.match(r.stdout, /^Forwarding from 127\.0\.0\.1:\d+ -> 8080\nForwarding from \[::1\]:\d+ -> 8080\nHandling connection for \d+\nHandling connection for \d+\n$/);
  });

  test('port-forward: several ports, LOCAL:REMOTE, a named port, --address', async () => {
    const a = await freePort();
    const b = await freePort();
    await assertSameForward(env, ['web', `${a}:8080`, `${b}:http`, '--address', '127.0.0.1'], ['/index.html'], [a, b]);
  });

  test('port-forward to a deployment and to a service (its port resolved to the pod\'s named targetPort)', async () => {
    await assertSameForward(env, ['deployment/webdeploy', ':8080'], ['/index.html']);
    const r = await assertSameForward(env, ['service/websvc', ':80'], ['/two.txt']);
    assert.match(r.stdout, /-> 8080\n/);
  });

  test('port-forward errors', async () => {
    await assertSameAsKubectl(env, ['port-forward', 'nope', '8080']);
    await assertSameAsKubectl(env, ['port-forward', 'waiting', '8080']);
    await assertSameAsKubectl(env, ['port-forward', 'web']);
    await assertSameAsKubectl(env, ['port-forward', 'service/websvc', '9999']);
  });

  test('port-forward to a port nothing listens on: the kubelet\'s error, then "lost connection to pod"', async () => {
    const seen: { stdout: string; stderr: string; code: number }[] = [];
    for (const [, bin, prefix] of sides) {
      const live = startLiveTool(bin, env, [...prefix, 'port-forward', 'web', ':9']);
      try {
        const port = await eventually('port-forward to listen', async () => {
          const m = /^Forwarding from 127\.0\.0\.1:(\d+)/m.exec(live.stdout());
          return m === null ? undefined : Number(m[1]);
        }, 30_000);
        await httpGet(`http://127.0.0.1:${port}/`).catch(() => undefined);
        await eventually('port-forward to give up', async () => (live.exited() ? true : undefined), 30_000);
        seen.push({ stdout: live.stdout(), stderr: live.stderr(), code: await live.stop() });
      } finally {
        await live.stop('SIGKILL');
      }
    }
    // klog's header carries the time, the pid and upstream's source line. The kubelet's reason races
    // (nc's "Connection refused", or EPIPE when the request bytes hit the already-exited nc): not compared.
    const klog = (t: string): string => normalizePorts(t, []).replace(/^E\d{4} \d{2}:\d{2}:\d{2}\.\d{6} +\d+ [\w.]+:\d+\] /gm, 'E<klog> ').replace(/forwarding \d+ -> /g, 'forwarding <port> -> ').replace(/(network namespace: )[^"]*/g, '$1<reason>');
    const [real, ours] = seen.map((r) => ({ stdout: klog(r.stdout), stderr: klog(r.stderr), code: r.code }));
    assert.deepEqual(ours, real);
  });

  test('attach -c to a container that prints lines (stdout and stderr) while attached', async () => {
    const seen: { stdout: string; stderr: string; code: number }[] = [];
    for (const [, bin, prefix] of sides) {
      const live = startLiveTool(bin, env, [...prefix, 'attach', 'web', '-c', 'talker']);
      try {
        // Each trigger makes the container print one batch; trigger until a whole batch reached this client.
        await eventually('a batch printed through attach', async () => {
          if (live.exited()) {
            throw new Error(`attach exited early:\n${live.stdout()}${live.stderr()}`);
          }
          if (/line 2\n/.test(live.stdout()) && /on stderr\n/.test(live.stderr())) {
            return true;
          }
          await kubectlOk(env, ['exec', 'web', '-c', 'talker', '--', 'touch', '/tmp/go']);
          await new Promise((r) => setTimeout(r, 500));
          return undefined;
        }, 60_000);
        const code = await live.stop('SIGINT');
        seen.push({ stdout: live.stdout(), stderr: live.stderr(), code });
      } finally {
        await live.stop('SIGKILL');
      }
    }
    const [real, ours] = seen;
    // Batches printed before the client was attached never reach it, so their numbers differ: compare shapes.
    const shape = (t: string): string => [...new Set(t.replace(/batch \d+/g, 'batch N').split('\n'))].join('\n');
    assert.deepEqual({ stdout: shape(ours.stdout), stderr: shape(ours.stderr), code: ours.code }, { stdout: shape(real.stdout), stderr: shape(real.stderr), code: real.code });
    assert.match(ours.stdout, /^batch \d+ line 1\nbatch \d+ line 2\n/m);
  });

  test('attach errors', async () => {
    await assertSameAsKubectl(env, ['attach', 'nope']);
    await assertSameAsKubectl(env, ['attach', 'web', '-c', 'nope']);
  });
});

describe('kubectl explain: real kubectl 1.35 vs k8ts kubectl', { timeout: 120_000 }, () => {
  let api: TestApiServer;
  let env: ClientEnv;

  before(async () => {
    api = await startApiServer();
    env = clientEnv(api.kubeconfig);
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
        versions: [{
          name: 'v1', served: true, storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object', description: 'A Widget is a thing with a size and some parts.',
              properties: {
                spec: {
                  type: 'object', required: ['size'], description: 'What the widget should be.',
                  properties: {
                    size: { type: 'integer', description: 'How big, in widget units.' },
                    color: { type: 'string', enum: ['red', 'green', 'blue', 'black', 'white'], description: 'Its colour.' },
                    parts: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, count: { type: 'integer' } } } },
                    labels: { type: 'object', additionalProperties: { type: 'string' } },
                  },
                },
              },
            },
          },
        }],
      },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(crd) });
    await eventually('the Widget schema in OpenAPI v3', async () => ((await kubectlOk(env, ['explain', 'widgets.spec']).catch(() => '')).includes('size') ? true : undefined), 60_000);
  });

  after(async () => {
    env?.cleanup();
    await api?.stop();
  });

  test('built-in resources, fields (TYPE.group.field too), --recursive, --api-version', async () => {
    await assertSameAsKubectl(env, ['explain', 'pods']);
    await assertSameAsKubectl(env, ['explain', 'pod.spec.containers']);
    await assertSameAsKubectl(env, ['explain', 'deployments.apps.spec', '--recursive']);
    await assertSameAsKubectl(env, ['explain', 'hpa', '--api-version=autoscaling/v2']);
  });

  test('a CRD\'s schema', async () => {
    await assertSameAsKubectl(env, ['explain', 'widgets']);
    await assertSameAsKubectl(env, ['explain', 'wd.spec', '--recursive']);
    await assertSameAsKubectl(env, ['explain', 'widgets.spec.color']);
  });

  test('errors', async () => {
    await assertSameAsKubectl(env, ['explain', 'pods.spec.foo']);
    await assertSameAsKubectl(env, ['explain', 'foo']);
    await assertSameAsKubectl(env, ['explain', 'deploy', '--api-version=apps/v1beta1']);
  });
});
