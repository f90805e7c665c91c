import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { apiserverOptions } from './apiserver.ts';
import { assertUnitsVerify, execFlags, readUnit } from './testing/units.ts';

const run = promisify(execFile);
const k8ts = new URL('../../bin/k8ts', import.meta.url).pathname;

test('apiserver flags: defaults, etcd3 needs servers, bad values rejected', () => {
  assert.deepEqual(apiserverOptions([]), { dataDir: '/var/lib/k8ts', securePort: 6443, bindAddress: '0.0.0.0', advertiseAddress: undefined, storageBackend: 'sqlite', etcdServers: [], etcdCaFile: undefined, etcdCertFile: undefined, etcdKeyFile: undefined, tokenAuthFile: undefined, authorizationModes: ['AlwaysAllow'] });
  const etcd = apiserverOptions(['--storage-backend=etcd3', '--etcd-servers', 'http://a:2379,http://b:2379']);
  assert.deepEqual(etcd?.etcdServers, ['http://a:2379', 'http://b:2379']);
  assert.throws(() => apiserverOptions(['--storage-backend=etcd3']), /--etcd-servers must be specified/);
  assert.throws(() => apiserverOptions(['--storage-backend=mysql']), /unknown backend "mysql"/);
  assert.throws(() => apiserverOptions(['--secure-port=70000']), /between 0 and 65535/);
  assert.equal(apiserverOptions(['--help']), undefined);
  assert.deepEqual(apiserverOptions(['--authorization-mode=RBAC,AlwaysAllow'])?.authorizationModes, ['RBAC', 'AlwaysAllow']);
  assert.deepEqual(apiserverOptions(['--authorization-mode=Node,RBAC'])?.authorizationModes, ['Node', 'RBAC']);
  assert.throws(() => apiserverOptions(['--authorization-mode=Webhook,RBAC']), /authorization-mode "Webhook" is not a valid mode/);
});

test('k8ts apiserver --help prints the flags; a bad flag exits 1 with the usage', async () => {
  const help = await run(k8ts, ['apiserver', '--help']);
  assert.match(help.stdout, /--secure-port int/);
  assert.match(help.stdout, /--storage-backend string/);
  await assert.rejects(run(k8ts, ['apiserver', '--no-such-flag']), (e: { code?: number; stderr?: string }) => e.code === 1 && /unknown flag: --no-such-flag/.test(e.stderr ?? '') && /Usage: k8ts apiserver/.test(e.stderr ?? ''));
});

test('the systemd units pass systemd-analyze verify and the apiserver unit\'s flags parse', async (t) => {
  const unit = await readUnit('kube-apiserver.service');
  const args = execFlags(unit, 'apiserver');
  assert.equal(apiserverOptions(args)?.securePort, 6443);
  assert.deepEqual(apiserverOptions(args)?.authorizationModes, ['Node', 'RBAC']);
  const etcd = await readUnit('etcd.service');
  // verify insists that ExecStart binaries exist: where etcd is not installed, point it at /bin/true.
  await assertUnitsVerify(t, { 'kube-apiserver.service': unit, 'etcd.service': existsSync('/usr/bin/etcd') ? etcd : etcd.replaceAll('/usr/bin/etcd', '/bin/true') });
});
