import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { processStartTime } from './host.ts';

test('processStartTime names a live process by its start time; undefined once it has exited', async () => {
  assert.match((await processStartTime(process.pid)) ?? '', /^\d+$/);
  assert.equal(await processStartTime(0), undefined);
  assert.equal(await processStartTime(undefined), undefined);
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = child.pid ?? 0;
  const start = await processStartTime(pid);
  assert.match(start ?? '', /^\d+$/);
  // Stable while the process runs.
  assert.equal(await processStartTime(pid), start);
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.equal(await processStartTime(pid), undefined);
});
