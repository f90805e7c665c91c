import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { controllerManagerOptions } from '../controllers/manager/options.ts';
import { schedulerOptions } from './scheduler.ts';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const k8ts = join(root, 'bin/k8ts');
const units = join(root, 'deploy/systemd');

/** The unit's ExecStart flags with ${VAR} taken from its Environment= defaults and $ARGS dropped. */
function execFlags(unit: string, command: string): string[] {
  const env = new Map([...unit.matchAll(/^Environment=(\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  const exec = new RegExp(`^ExecStart=(\\S+) ${command} (.*)$`, 'm').exec(unit);
  assert.ok(exec !== null, `ExecStart runs \`k8ts ${command}\``);
  assert.equal(exec[1], '/usr/local/bin/k8ts');
  return exec[2].split(/\s+/).filter((a) => a !== '' && !/^\$\w+$/.test(a)).map((a) => a.replace(/\$\{(\w+)\}/g, (_m, v: string) => env.get(v) ?? ''));
}

test('the scheduler and controller-manager units pass systemd-analyze verify and their flags parse', async (t) => {
  const sched = await readFile(join(units, 'kube-scheduler.service'), 'utf8');
  const cm = await readFile(join(units, 'kube-controller-manager.service'), 'utf8');
  const s = await schedulerOptions(execFlags(sched, 'scheduler'));
  assert.equal(s?.leaderElect, true);
  assert.equal(s?.serving?.securePort, 10259);
  const c = controllerManagerOptions(execFlags(cm, 'controller-manager'));
  assert.equal(c?.leaderElect, true);
  assert.equal(c?.serving.securePort, 10257);

  if (!existsSync('/usr/bin/systemd-analyze')) {
    t.skip('systemd-analyze not installed');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-units-'));
  try {
    // verify insists that ExecStart binaries exist: point them at the one in this tree.
    await writeFile(join(dir, 'kube-scheduler.service'), sched.replaceAll('/usr/local/bin/k8ts', k8ts));
    await writeFile(join(dir, 'kube-controller-manager.service'), cm.replaceAll('/usr/local/bin/k8ts', k8ts));
    const { stderr } = await run('systemd-analyze', ['verify', '--man=false', join(dir, 'kube-scheduler.service'), join(dir, 'kube-controller-manager.service')]);
    assert.equal(stderr.trim(), '', 'no warnings');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
