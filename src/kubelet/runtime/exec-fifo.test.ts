import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mustRun } from './command.ts';
import { execFifoPath, startThroughExecFifo } from './exec-fifo.ts';

/** A runc-like root with `<id>/exec.fifo`. */
async function fifoRoot(id: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'k8ts-fifo-'));
  await mkdir(join(root, id));
  await mustRun('mkfifo', [execFifoPath(root, id)]);
  return root;
}

test('startThroughExecFifo: reads what the waiting init writes before it execs, then removes the fifo', async () => {
  const root = await fifoRoot('c1');
  // Like runc's init: blocks opening the fifo for writing, writes "0", then execs (closing it).
  const init = spawn('sh', ['-c', 'printf 0 > "$1"; exec sleep 60', 'sh', execFifoPath(root, 'c1')], { stdio: 'ignore' });
  try {
    assert.equal(await startThroughExecFifo(root, 'c1', init.pid ?? 0), true);
    await assert.rejects(stat(execFifoPath(root, 'c1')), { code: 'ENOENT' });
    assert.equal(init.exitCode, null, 'the "container" runs on after the start');
  } finally {
    init.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  }
});

test('startThroughExecFifo: false without a fifo (the caller runs `runc start`)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'k8ts-fifo-'));
  try {
    assert.equal(await startThroughExecFifo(root, 'nope', process.pid), false);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('startThroughExecFifo: an init that died without opening the fifo is an error, not a hang', async () => {
  const root = await fifoRoot('c2');
  const init = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    init.kill('SIGKILL');
    await once(init, 'exit');
    await assert.rejects(startThroughExecFifo(root, 'c2', init.pid ?? 0), /exited before it could start/);
    // The fifo stays: nothing started, runc still sees a created container.
    assert.ok((await stat(execFifoPath(root, 'c2'))).isFIFO());
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
