import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTar, writeTar } from './tar.ts';
import { decodeStatus, ExitCodeError } from './remotecommand.ts';

test('tar: what writeTar writes, readTar reads back (files, dirs, symlinks, long names)', () => {
  const long = `${'d'.repeat(60)}/${'f'.repeat(70)}.txt`;
  const archive = writeTar([
    { name: 'top/a.txt', type: 'file', mode: 0o644, mtimeSec: 1, data: Buffer.from('hello\n') },
    { name: 'top/empty', type: 'dir', mode: 0o755, mtimeSec: 1 },
    { name: 'top/link', type: 'symlink', mode: 0o777, mtimeSec: 1, linkname: 'a.txt' },
    { name: long, type: 'file', mode: 0o600, mtimeSec: 1, data: Buffer.alloc(1000, 7) },
  ]);
  assert.equal(archive.length % 512, 0);
  const entries = readTar(archive);
  assert.deepEqual(entries.map((e) => [e.name, e.type]), [['top/a.txt', '0'], ['top/empty/', '5'], ['top/link', '2'], [long, '0']]);
  assert.equal(entries[0]?.data.toString(), 'hello\n');
  assert.equal(entries[0]?.mode, 0o644);
  assert.equal(entries[2]?.linkname, 'a.txt');
  assert.equal(entries[3]?.data.length, 1000);
  assert.throws(() => readTar(archive.subarray(0, 3584 + 100)), /tar contents corrupted/);
});

test('remote command status: success, exit codes, other failures', () => {
  assert.equal(decodeStatus('{"metadata":{},"status":"Success"}'), undefined);
  const exit = decodeStatus('{"status":"Failure","reason":"NonZeroExitCode","message":"x","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}');
  assert.ok(exit instanceof ExitCodeError);
  assert.equal(exit.exitCode, 3);
  const other = decodeStatus('{"status":"Failure","reason":"InternalError","message":"container not found (\\"x\\")"}');
  assert.ok(other instanceof Error && !(other instanceof ExitCodeError));
  assert.equal(other.message, 'container not found ("x")');
});
