import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError } from '../../cmd/flags.ts';
import { controllerManagerOptions, parseGoDuration, selectControllers } from './options.ts';

test('Go durations', () => {
  assert.equal(parseGoDuration('40s'), 40_000);
  assert.equal(parseGoDuration('12h0m0s'), 43_200_000);
  assert.equal(parseGoDuration('1m30s'), 90_000);
  assert.equal(parseGoDuration('250ms'), 250);
  assert.throws(() => parseGoDuration('40'));
  assert.throws(() => parseGoDuration('abc'));
});

test('--controllers: *, names, -names and short aliases like upstream', () => {
  const known = ['deployment-controller', 'replicaset-controller', 'bootstrapsigner-controller'];
  const off = new Set(['bootstrapsigner-controller']);
  assert.deepEqual(selectControllers(['*'], known, off), ['deployment-controller', 'replicaset-controller']);
  assert.deepEqual(selectControllers(['*', '-deployment'], known, off), ['replicaset-controller']);
  assert.deepEqual(selectControllers(['deployment-controller', 'bootstrapsigner'], known, off), ['deployment-controller', 'bootstrapsigner-controller']);
  assert.throws(() => selectControllers(['nope'], known, off), FlagError);
});

test('flags: upstream defaults and validation', () => {
  const o = controllerManagerOptions(['--kubeconfig=/k']);
  assert.ok(o !== undefined);
  assert.equal(o.controller.clusterCidr, '10.244.0.0/16');
  assert.equal(o.controller.nodeCidrMaskSize, 24);
  assert.equal(o.controller.nodeMonitorGracePeriodMs, 40_000);
  assert.equal(o.leaseName, 'kube-controller-manager');
  assert.equal(o.controller.flags['concurrent-deployment-syncs'], 5);
  assert.throws(() => controllerManagerOptions(['--kubeconfig=/k', '--node-monitor-grace-period=forty']), FlagError);
  assert.equal(controllerManagerOptions(['--help']), undefined);
});
