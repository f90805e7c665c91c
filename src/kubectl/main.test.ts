import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { clientEnv, kubectl } from '../../test/util/kubectl.ts';
import { k8tsPath, oursKubectl } from '../../test/util/kubectl-compare.ts';

test('a closed stdout (`kubectl ... | head`) ends the process quietly with 128+SIGPIPE, as the Go binary dies of SIGPIPE', async () => {
  const child = spawn(k8tsPath, ['kubectl', 'version', '--client'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Our end of the pipe is closed before the child can write: its first write fails with EPIPE.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
  assert.equal(stderr, '');
  assert.deepEqual([code, signal], [141, null]);
});

test('output through a pipe is complete at exit, and the exit code and error text are kubectl 1.35\'s', async () => {
  // No server needed: the kubeconfig is never read by these commands.
  const env = clientEnv('/nonexistent/kubeconfig');
  try {
    const ours = await oursKubectl(env, ['version', '--client', '-o', 'json']);
    assert.equal(ours.code, 0);
    assert.equal((JSON.parse(ours.stdout) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion.startsWith('v1.35'), true);
    const args = ['version', '--no-such-flag'];
    const [real, bad] = [await kubectl(env, args), await oursKubectl(env, args)];
    assert.deepEqual(bad, real);
    assert.equal(bad.code, 1);
  } finally {
    env.cleanup();
  }
});
