import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const k8ts = new URL('../../bin/k8ts', import.meta.url).pathname;

test('bin/k8ts lists its commands and refuses unknown ones', async () => {
  const help = await run(k8ts, ['--help']);
  assert.match(help.stdout, /apiserver/);
  await assert.rejects(run(k8ts, ['no-such-command']), (e: { code?: number; stderr?: string }) => e.code === 1 && /unknown command "no-such-command"/.test(e.stderr ?? ''));
});

test('bin/k8ts runs on Node.js 24', async () => {
  const { stdout } = await run(new URL('../../node_modules/node/bin/node', import.meta.url).pathname, ['--version']);
  assert.match(stdout, /^v24\./);
});
