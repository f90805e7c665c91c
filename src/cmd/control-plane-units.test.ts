import assert from 'node:assert/strict';
import { test } from 'node:test';
import { controllerManagerOptions } from '../controllers/manager/options.ts';
import { schedulerOptions } from './scheduler.ts';
import { assertUnitsVerify, execFlags, readUnit } from './testing/units.ts';

test('the scheduler and controller-manager units pass systemd-analyze verify and their flags parse', async (t) => {
  const sched = await readUnit('kube-scheduler.service');
  const cm = await readUnit('kube-controller-manager.service');
  const s = await schedulerOptions(execFlags(sched, 'scheduler'));
  assert.equal(s?.kubeconfig, '/var/lib/k8ts/scheduler.kubeconfig', 'its own identity, as `k8ts up` writes it');
  assert.equal(s?.leaderElect, true);
  assert.equal(s?.serving?.securePort, 10259);
  const c = controllerManagerOptions(execFlags(cm, 'controller-manager'));
  assert.equal(c?.kubeconfig, '/var/lib/k8ts/controller-manager.kubeconfig');
  assert.equal(c?.leaderElect, true);
  assert.equal(c?.useServiceAccountCredentials, true, 'each controller under its own service account, as RBAC expects');
  assert.equal(c?.serving.securePort, 10257);
  await assertUnitsVerify(t, { 'kube-scheduler.service': sched, 'kube-controller-manager.service': cm });
});
