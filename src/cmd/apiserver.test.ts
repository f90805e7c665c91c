import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { apiserverOptions } from './apiserver.ts';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const k8ts = join(root, 'bin/k8ts');
const units = join(root, 'deploy/systemd');

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
  const unit = await readFile(join(units, 'kube-apiserver.service'), 'utf8');
  const exec = /^ExecStart=(\S+) apiserver (.*)$/m.exec(unit);
  assert.ok(exec !== null, 'ExecStart runs `k8ts apiserver`');
  assert.equal(exec[1], '/usr/local/bin/k8ts');
  const args = exec[2].split(/\s+/).filter((a) => a !== '' && !a.startsWith('$'));
  assert.equal(apiserverOptions(args)?.securePort, 6443);
  assert.deepEqual(apiserverOptions(args)?.authorizationModes, ['Node', 'RBAC']);

  if (!existsSync('/usr/bin/systemd-analyze')) {
    t.skip('systemd-analyze not installed');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-units-'));
  try {
    // verify insists that ExecStart binaries exist: point them at ones that do on this machine.
    await writeFile(join(dir, 'kube-apiserver.service'), unit.replaceAll('/usr/local/bin/k8ts', k8ts));
    const etcd = await readFile(join(units, 'etcd.service'), 'utf8');
    await writeFile(join(dir, 'etcd.service'), existsSync('/usr/bin/etcd') ? etcd : etcd.replaceAll('/usr/bin/etcd', '/bin/true'));
    const { stderr } = await run('systemd-analyze', ['verify', '--man=false', join(dir, 'kube-apiserver.service'), join(dir, 'etcd.service')]);
    assert.equal(stderr.trim(), '', 'no warnings');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
