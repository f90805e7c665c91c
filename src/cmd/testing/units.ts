/** Checks shared by the systemd unit tests: ExecStart flag extraction and `systemd-analyze verify`. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../../..', import.meta.url).pathname;
const k8ts = join(root, 'bin/k8ts');

/** The text of `deploy/systemd/<name>`. */
export function readUnit(name: string): Promise<string> {
  return readFile(join(root, 'deploy/systemd', name), 'utf8');
}

/** The unit's `k8ts <command>` ExecStart flags, with ${VAR} taken from its Environment= defaults and $ARGS dropped. */
export function execFlags(unit: string, command: string): string[] {
  const env = new Map([...unit.matchAll(/^Environment=(\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  const exec = new RegExp(`^ExecStart=(\\S+) ${command} (.*)$`, 'm').exec(unit);
  assert.ok(exec !== null, `ExecStart runs \`k8ts ${command}\``);
  assert.equal(exec[1], '/usr/local/bin/k8ts');
  return exec[2].split(/\s+/).filter((a) => a !== '' && !/^\$\w+$/.test(a)).map((a) => a.replace(/\$\{(\w+)\}/g, (_m, v: string) => env.get(v) ?? ''));
}

/**
 * Runs `systemd-analyze verify` on the units (file name → text) and asserts it prints nothing;
 * skips the test where systemd-analyze is not installed. verify insists that ExecStart binaries
 * exist, so the installed path is pointed at this tree's bin/k8ts.
 */
export async function assertUnitsVerify(t: TestContext, units: Readonly<Record<string, string>>): Promise<void> {
  if (!existsSync('/usr/bin/systemd-analyze')) {
    t.skip('systemd-analyze not installed');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-units-'));
  try {
    const paths: string[] = [];
    for (const [name, text] of Object.entries(units)) {
      const path = join(dir, name);
      await writeFile(path, text.replaceAll('/usr/local/bin/k8ts', k8ts));
      paths.push(path);
    }
    const { stderr } = await run('systemd-analyze', ['verify', '--man=false', ...paths]);
    assert.equal(stderr.trim(), '', 'no warnings');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
