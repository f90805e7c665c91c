/**
 * K4's pod verbs, real kubectl 1.35 vs `k8ts kubectl`, against an apiserver and a real kubelet
 * running busybox pods: logs (defaulting, -c, --tail, --prefix, -l, errors), exec (output, stdin,
 * exit codes, errors), cp both ways; and `exec -it` under a real pty (python3's pty module).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canRunPods, eventually, startKubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import type { KubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectlOk, kubectlPath } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { assertSameAsKubectl, k8tsPath } from '../util/kubectl-compare.ts';

const IMAGE = 'k8ts.local/e2e/busybox:1';

/** Runs `k8ts kubectl args` on a pty, typing `input` once it starts; resolves with what the terminal showed and the exit code. */
function onPty(env: ClientEnv, bin: readonly string[], args: readonly string[], input: string): Promise<{ output: string; code: number }> {
  const script = [
    'import os, pty, sys, time, select',
    'pid, fd = pty.fork()',
    'if pid == 0:',
    '    os.execv(sys.argv[1], sys.argv[1:])',
    'out = b""',
    'sent = False',
    'start = time.time()',
    'while True:',
    '    r, _, _ = select.select([fd], [], [], 0.2)',
    '    if r:',
    '        try:',
    '            data = os.read(fd, 4096)',
    '        except OSError:',
    '            break',
    '        if not data:',
    '            break',
    '        out += data',
    '    if not sent and time.time() - start > 3:',
    '        os.write(fd, os.environ["PTY_INPUT"].encode())',
    '        sent = True',
    '    if time.time() - start > 60:',
    '        break',
    '_, status = os.waitpid(pid, 0)',
    'sys.stdout.write(out.decode("utf-8", "replace"))',
    'sys.exit(os.waitstatus_to_exitcode(status))',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script, ...bin, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: env.home, KUBECONFIG: env.kubeconfig, PTY_INPUT: input },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ output, code: code ?? 1 });
    });
  });
}

describe('kubectl pod verbs: real kubectl 1.35 vs k8ts kubectl', { skip: !canRunPods && 'needs root, runc, conmon, catatonit and CNI plugins', timeout: 300_000 }, () => {
  let bed: KubeletTestbed<TestApiServer>;
  let env: ClientEnv;
  let scratch: string;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'k8ts-kubectl-pods-'));
    bed = await startKubeletTestbed('kpods', IMAGE, () => startApiServer());
    env = clientEnv(bed.api.kubeconfig);
    const pod = (name: string, containers: readonly Record<string, unknown>[]): string =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { nodeName: bed.kubelet.nodeName, terminationGracePeriodSeconds: 1, containers } });
    await kubectlOk(env, ['apply', '-f', '-'], {
      stdin: pod('web', [
        { name: 'main', image: IMAGE, command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo "main line $i"; done; exec sleep 3600'] },
        { name: 'side', image: IMAGE, command: ['sh', '-c', 'echo side says hi; exec sleep 3600'] },
      ]),
    });
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: pod('solo', [{ name: 'only', image: IMAGE, command: ['sh', '-c', 'echo solo 1; echo solo 2; exec sleep 3600'] }]) });
    for (const name of ['web', 'solo']) {
      await eventually(`${name} to run and log`, async () => {
        const p = JSON.parse(await kubectlOk(env, ['get', 'pod', name, '-o', 'json'])) as { status?: { containerStatuses?: { state: { running?: unknown } }[] } };
        const running = (p.status?.containerStatuses ?? []).length > 0 && p.status?.containerStatuses?.every((s) => s.state.running !== undefined) === true;
        return running && (await kubectlOk(env, ['logs', name, '--all-containers'])).includes(name === 'web' ? 'side says hi' : 'solo 2') ? true : undefined;
      }, 90_000);
    }
  });

  after(async () => {
    env?.cleanup();
    await bed?.stop();
    if (scratch !== undefined) {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  test('logs', async () => {
    await assertSameAsKubectl(env, ['logs', 'web']);
    await assertSameAsKubectl(env, ['logs', 'web', '-c', 'side']);
    await assertSameAsKubectl(env, ['logs', 'solo', '--all-containers', '--prefix']);
    await assertSameAsKubectl(env, ['logs', '-l', 'app=solo']);
    await assertSameAsKubectl(env, ['logs', 'web', '-c', 'nope']);
  });

  test('exec', async () => {
    await assertSameAsKubectl(env, ['exec', 'web', '--', 'echo', 'hello']);
    await assertSameAsKubectl(env, ['exec', 'web', '-c', 'side', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    await assertSameAsKubectl(env, ['exec', '-i', 'solo', '--', 'tr', 'a-z', 'A-Z'], { stdin: 'shout this\n' });
    await assertSameAsKubectl(env, ['exec', 'solo', 'ls']);
  });

  test('cp', async () => {
    const local = join(scratch, 'in.txt');
    await writeFile(local, 'copied in\n'.repeat(100));
    await assertSameAsKubectl(env, ['cp', local, 'solo:/tmp/in.txt']);
    assert.equal(await kubectlOk(env, ['exec', 'solo', '--', 'wc', '-c', '/tmp/in.txt']), '1000 /tmp/in.txt\n');
    const back = join(scratch, 'back.txt');
    // Real kubectl prints the remote tar's stderr line only when it arrives before the tar stream
    // ends (a race in 1.35: sometimes it exits first); ours always prints it. Compared without it.
    const noTarNotice = (t: string): string => t.replace(/^tar: removing leading '\/' from member names\n/m, '');
    await assertSameAsKubectl(env, ['cp', 'solo:/tmp/in.txt', back], { normalize: noTarNotice });
    assert.equal(await readFile(back, 'utf8'), 'copied in\n'.repeat(100));
    // A failing remote tar: how many of its stderr lines real kubectl relays before the stream ends
    // is the same race, so its `tar:` lines are left out of the comparison (exit codes still compared).
    const noTarLines = (t: string): string => t.replace(/^tar: .*\n/gm, '');
    await assertSameAsKubectl(env, ['cp', 'solo:/tmp/nope', back], { normalize: noTarLines });
  });

  test('exec -it on a real terminal: raw mode, echo, exit code', async (t) => {
    const input = 'echo $((6*7))\nexit 7\n';
    const real = await onPty(env, [kubectlPath], ['exec', '-it', 'solo', '--', 'sh'], input);
    if (real.code !== 7) {
      // The node side must support TTY exec first; report what real kubectl saw instead of failing on ours.
      t.skip(`real kubectl exec -it did not work against this kubelet either (exit ${real.code}): ${real.output.slice(-300)}`);
      return;
    }
    const r = await onPty(env, [k8tsPath, 'kubectl'], ['exec', '-it', 'solo', '--', 'sh'], input);
    assert.equal(r.code, 7, r.output);
    assert.match(r.output, /42/);
    assert.match(r.output, /command terminated with exit code 7/);
  });
});
