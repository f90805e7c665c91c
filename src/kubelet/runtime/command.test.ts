import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandError, mustRun, runCommand } from './command.ts';

test('runCommand: exit code, stdout and stderr apart, stdin data, env and cwd, a missing binary is 127', async () => {
  assert.deepEqual(await runCommand('sh', ['-c', 'echo out; echo err >&2; exit 3']), { code: 3, stdout: 'out\n', stderr: 'err\n' });
  assert.equal((await runCommand('cat', [], { input: 'data ✓\n' })).stdout, 'data ✓\n');
  assert.equal((await runCommand('sh', ['-c', 'echo "$K8TS_X"; pwd'], { env: { K8TS_X: 'y', PATH: '/usr/bin:/bin' }, cwd: '/' })).stdout, 'y\n/\n');
  assert.equal((await runCommand('/nonexistent/k8ts-tool', [])).code, 127);
  assert.equal((await runCommand('sleep', ['30'], { timeoutMs: 200 })).code, 127);
  await assert.rejects(mustRun('sh', ['-c', 'echo bad >&2; exit 2']), (e: unknown) => e instanceof CommandError && e.code === 2 && /bad/.test(e.message));
});

test('runCommand: many commands at once each get their own result', async () => {
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runCommand('sh', ['-c', `echo ${i}`])));
  assert.deepEqual(results.map((r) => r.stdout), Array.from({ length: 20 }, (_, i) => `${i}\n`));
});
