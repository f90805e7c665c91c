import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagError, formatUsage, parseFlags, passThrough } from './flags.ts';

const specs = {
  'data-dir': { type: 'string', help: 'where state lives', default: '/var/lib/k8ts' },
  'secure-port': { type: 'int', help: 'HTTPS port', default: 6443 },
  'bind-address': { type: 'string', help: 'address to listen on' },
  verbose: { type: 'boolean', help: 'talk more' },
  'etcd-servers': { type: 'strings', help: 'etcd URLs' },
} as const;

test('both spellings, defaults, booleans, repeated and comma lists, positionals', () => {
  const p = parseFlags(['--data-dir', '/d', '--secure-port=7443', '--verbose', 'pos', '--etcd-servers=http://a:2379,http://b:2379', '--etcd-servers', 'http://c:2379', '--', '--not-a-flag'], specs);
  assert.equal(p.flags['data-dir'], '/d');
  assert.equal(p.flags['secure-port'], 7443);
  assert.equal(p.flags.verbose, true);
  assert.equal(p.flags['bind-address'], undefined);
  assert.deepEqual(p.flags['etcd-servers'], ['http://a:2379', 'http://b:2379', 'http://c:2379']);
  assert.deepEqual(p.args, ['pos', '--not-a-flag']);
  assert.equal(p.help, false);
  const d = parseFlags(['--verbose=false'], specs);
  assert.equal(d.flags['data-dir'], '/var/lib/k8ts');
  assert.equal(d.flags['secure-port'], 6443);
  assert.equal(d.flags.verbose, false);
  assert.equal(parseFlags(['-h'], specs).help, true);
});

test('mistakes are FlagErrors with pflag-like messages', () => {
  assert.throws(() => parseFlags(['--nope'], specs), (e: unknown) => e instanceof FlagError && e.message === 'unknown flag: --nope');
  assert.throws(() => parseFlags(['--data-dir'], specs), /flag needs an argument: --data-dir/);
  assert.throws(() => parseFlags(['--secure-port', 'x'], specs), /invalid argument "x" for "--secure-port"/);
  assert.throws(() => parseFlags(['--verbose=maybe'], specs), /ParseBool/);
});

test('usage lists every flag with its default', () => {
  const u = formatUsage('Usage: k8ts apiserver [flags]', specs);
  assert.match(u, /--data-dir string\s+where state lives \(default \/var\/lib\/k8ts\)/);
  assert.match(u, /--secure-port int\s+HTTPS port \(default 6443\)/);
  assert.match(u, /--verbose\s+talk more\n/);
});

test('passThrough collects --<component>-arg name=value as that component\'s flags, in order', () => {
  const split = passThrough(['--data-dir', '/d', '--kube-apiserver-arg', 'metric-resolution=5s', '--kubelet-arg=cgroup-root=k8ts', '--kube-controller-manager-arg', '--horizontal-pod-autoscaler-sync-period=5s', '--kube-apiserver-arg=v=2'], ['kubelet', 'kube-apiserver', 'kube-controller-manager']);
  assert.deepEqual(split.rest, ['--data-dir', '/d']);
  assert.deepEqual(split['kube-apiserver'], ['--metric-resolution', '5s', '--v', '2']);
  assert.deepEqual(split.kubelet, ['--cgroup-root', 'k8ts']);
  assert.deepEqual(split['kube-controller-manager'], ['--horizontal-pod-autoscaler-sync-period', '5s']);
  assert.throws(() => passThrough(['--kubelet-arg'], ['kubelet']), /flag needs an argument: --kubelet-arg/);
});
