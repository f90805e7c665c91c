/**
 * The kubelet's streaming API through the apiserver with the real kubectl 1.35: port-forward
 * (SPDY/3.1 tunnelled in WebSocket, and the plain SPDY/3.1 fallback) to a busybox httpd pod,
 * including a port nothing listens on; `kubectl cp` both ways; `kubectl attach`; exec and attach
 * over the plain SPDY/3.1 fallback (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false); `kubectl debug` (ephemeral containers).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canRunPods, eventually, httpGet, startKubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import type { KubeletFixture, KubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectlOk, kubectlPath, runTool } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { startLiveTool } from '../util/live-tool.ts';
import type { LiveTool } from '../util/live-tool.ts';

const IMAGE = 'k8ts.local/e2e/busybox:1';

/** A running `kubectl port-forward`; resolves once it prints the first local port. */
async function portForward(env: ClientEnv, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<LiveTool & { port: number }> {
  const k = startLiveTool(kubectlPath, env, ['port-forward', ...args], extraEnv);
  try {
    const port = await eventually('kubectl port-forward to listen', async () => {
      if (k.exited()) {
        throw new Error(`kubectl port-forward exited: ${k.stderr()}`);
      }
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(k.stdout());
      return m === null ? undefined : Number(m[1]);
    }, 30_000);
    return { ...k, port };
  } catch (e) {
    await k.stop('SIGKILL');
    throw e;
  }
}

describe('kubelet streaming: port-forward, cp, attach (real kubectl)', { skip: !canRunPods && 'needs root, runc, conmon, catatonit and CNI plugins' }, () => {
  let bed: KubeletTestbed<TestApiServer>;
  let env: ClientEnv;
  let kubelet: KubeletFixture;
  let scratch: string;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'k8ts-streams-'));
    bed = await startKubeletTestbed('streams', IMAGE, () => startApiServer());
    kubelet = bed.kubelet;
    env = clientEnv(bed.api.kubeconfig);
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
      spec: {
        nodeName: kubelet.nodeName, terminationGracePeriodSeconds: 1,
        containers: [
          // httpd listens on the pod's loopback only: port-forward must reach 127.0.0.1 inside the netns.
          { name: 'httpd', image: IMAGE, command: ['sh', '-c', 'mkdir -p /www; echo "hello through the tunnel" > /www/index.html; head -c 300000 /dev/zero | tr "\\0" x > /www/big; exec httpd -f -p 127.0.0.1:8080 -h /www'] },
          { name: 'talker', image: IMAGE, stdin: true, command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.3; done'] },
        ],
      },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    await eventually('the pod to run', async () => {
      const p = JSON.parse(await kubectlOk(env, ['get', 'pod', 'web', '-o', 'json'])) as { status?: { containerStatuses?: { state: { running?: unknown } }[] } };
      return (p.status?.containerStatuses ?? []).length === 2 && p.status?.containerStatuses?.every((s) => s.state.running !== undefined) === true ? true : undefined;
    }, 90_000);
  });

  after(async () => {
    env?.cleanup();
    await bed?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  for (const [mode, extraEnv] of [['WebSocket-tunnelled SPDY', {}], ['plain SPDY fallback', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }]] as const) {
    test(`kubectl port-forward (${mode}) reaches the pod's loopback; parallel connections; a 300 kB body`, async () => {
      const pf = await portForward(env, ['pod/web', ':8080'], extraEnv);
      try {
        const first = await httpGet(`http://127.0.0.1:${pf.port}/index.html`).catch((e: unknown) => {
          throw new Error(`${(e as Error).message}; kubectl said: ${pf.stderr()}`);
        });
        assert.equal(first.status, 200);
        assert.equal(first.body, 'hello through the tunnel\n');
        // Parallel connections get their own stream pairs; a big body crosses many data frames.
        const [a, b] = await Promise.all([httpGet(`http://127.0.0.1:${pf.port}/big`), httpGet(`http://127.0.0.1:${pf.port}/index.html`)]);
        assert.equal(a.body.length, 300000);
        assert.equal(b.body, 'hello through the tunnel\n');
      } finally {
        await pf.stop('SIGKILL');
      }
    });
  }

  test('port-forward to a port nothing listens on: kubectl reports the kubelet\'s error', async () => {
    const pf = await portForward(env, ['pod/web', ':9']);
    try {
      await httpGet(`http://127.0.0.1:${pf.port}/`).catch(() => undefined);
      await eventually('the forwarding error on stderr', async () => (/error forwarding port 9 to pod/.test(pf.stderr()) ? true : undefined), 20_000);
    } finally {
      await pf.stop('SIGKILL');
    }
  });

  test('kubectl cp copies a file into the container and back out', async () => {
    const local = join(scratch, 'in.txt');
    await writeFile(local, 'copied in\n'.repeat(1000));
    await kubectlOk(env, ['cp', local, 'web:/tmp/in.txt', '-c', 'httpd']);
    assert.equal(await kubectlOk(env, ['exec', 'web', '-c', 'httpd', '--', 'wc', '-c', '/tmp/in.txt']), '10000 /tmp/in.txt\n');
    const back = join(scratch, 'out.txt');
    await kubectlOk(env, ['cp', 'web:/www/index.html', back, '-c', 'httpd']);
    assert.equal(await readFile(back, 'utf8'), 'hello through the tunnel\n');
  });

  test('exec over the plain SPDY fallback: stdin, stdout, stderr, exit codes; attach too', async () => {
    const spdy = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
    const ok = await runTool(kubectlPath, env, ['exec', '-i', 'web', '-c', 'httpd', '--', 'sh', '-c', 'tr a-z A-Z; echo to-stderr >&2'], { stdin: 'through spdy\n', extraEnv: spdy });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'THROUGH SPDY\n');
    assert.equal(ok.stderr, 'to-stderr\n');
    const failed = await runTool(kubectlPath, env, ['exec', 'web', '-c', 'httpd', '--', 'sh', '-c', 'exit 3'], { extraEnv: spdy });
    assert.equal(failed.code, 3, failed.stderr);
    assert.equal(failed.stderr, 'command terminated with exit code 3\n');
    const k = startLiveTool(kubectlPath, env, ['attach', 'web', '-c', 'talker'], spdy);
    try {
      await eventually('live output through attach over SPDY', async () => (/tick \d+\n/.test(k.stdout()) ? true : undefined), 30_000);
    } finally {
      await k.stop('SIGKILL');
    }
  });

  test('kubectl debug: an ephemeral container joins the running pod (its network namespace), runs once, and attaches with -i', async () => {
    // httpd listens on the pod's loopback only: reaching it proves the debug container shares the netns.
    const fetch = "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 8080; echo debug-done";
    await kubectlOk(env, ['debug', 'web', '--image', IMAGE, '-c', 'dbg', '--', 'sh', '-c', fetch]);
    const done = await eventually('the ephemeral container to finish', async () => {
      const p = JSON.parse(await kubectlOk(env, ['get', 'pod', 'web', '-o', 'json'])) as { status?: { ephemeralContainerStatuses?: { name: string; ready: boolean; state: { terminated?: { exitCode: number } } }[] } };
      const s = p.status?.ephemeralContainerStatuses?.find((c) => c.name === 'dbg');
      return s?.state.terminated !== undefined ? s : undefined;
    }, 60_000);
    assert.equal(done.state.terminated?.exitCode, 0);
    assert.equal(done.ready, false);
    const logs = await kubectlOk(env, ['logs', 'web', '-c', 'dbg']);
    assert.match(logs, /hello through the tunnel\n/);
    assert.match(logs, /debug-done\n$/);
    // Interactive: kubectl waits for the container, then attaches to its stdin and stdout.
    const interactive = await runTool(kubectlPath, env, ['debug', 'web', '-i', '--image', IMAGE, '-c', 'dbg-i', '--', 'sh', '-c', 'read line; echo "got $line"'], { stdin: 'hello\n' });
    assert.equal(interactive.code, 0, interactive.stderr);
    assert.match(interactive.stdout, /got hello/);
    // --target: the debug container shares the target container's PID namespace and sees its processes.
    const targeted = await runTool(kubectlPath, env, ['debug', 'web', '-i', '--image', IMAGE, '-c', 'dbg-t', '--target', 'httpd', '--', 'ps', '-o', 'args'], { stdin: '' });
    assert.equal(targeted.code, 0, targeted.stderr);
    assert.match(targeted.stdout, /httpd -f -p 127\.0\.0\.1:8080/);
    assert.doesNotMatch(targeted.stdout, /tick/, 'not the other container\'s processes');
    // Run once: still terminated, never restarted, the app containers untouched.
    const p = JSON.parse(await kubectlOk(env, ['get', 'pod', 'web', '-o', 'json'])) as { status: { containerStatuses: { restartCount: number }[]; ephemeralContainerStatuses: { name: string; restartCount: number }[] } };
    assert.deepEqual(p.status.ephemeralContainerStatuses.map((c) => `${c.name}/${c.restartCount}`).sort(), ['dbg-i/0', 'dbg-t/0', 'dbg/0']);
    assert.ok(p.status.containerStatuses.every((c) => c.restartCount === 0));
  });

  test('kubectl attach streams the main process output', async () => {
    const k = startLiveTool(kubectlPath, env, ['attach', 'web', '-c', 'talker']);
    try {
      // attach runs until stopped; what matters is that live output arrives.
      await eventually('live output through attach', async () => (/tick \d+\n/.test(k.stdout()) ? true : undefined), 30_000);
    } finally {
      await k.stop('SIGKILL');
    }
  });
});
