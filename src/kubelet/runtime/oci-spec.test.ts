import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerSpec, defaultCapabilities, effectiveCapabilities, pauseSpec } from './oci-spec.ts';
import type { ContainerSpecInput } from './oci-spec.ts';

const hostCaps = [...defaultCapabilities, 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_SYS_TIME'];

const base: ContainerSpecInput = {
  rootfs: '/r', args: ['sh'], env: ['PATH=/bin'], cwd: '/', uid: 0, gid: 0, cgroupsPath: '/k8ts/podu/c1', tty: false,
  readonlyRootfs: false, privileged: false, noNewPrivileges: false, capAdd: [], capDrop: [], hostCapabilities: hostCaps,
  pausePid: 42, sharePid: false, netnsPath: '/run/netns/k8ts-x', shmPath: '/s/shm',
  etcFiles: { '/etc/hosts': '/s/hosts', '/etc/resolv.conf': '/s/resolv.conf' }, mounts: [],
};

test('capabilities: containerd defaults, drop ALL then add, unknown-to-host ones filtered', () => {
  assert.deepEqual(effectiveCapabilities(base), [...defaultCapabilities]);
  assert.deepEqual(effectiveCapabilities({ ...base, capDrop: ['ALL'], capAdd: ['NET_BIND_SERVICE'] }), ['CAP_NET_BIND_SERVICE']);
  assert.ok(!effectiveCapabilities({ ...base, capDrop: ['chown'] }).includes('CAP_CHOWN'));
  assert.ok(effectiveCapabilities({ ...base, capAdd: ['NET_ADMIN'] }).includes('CAP_NET_ADMIN'));
  assert.ok(!effectiveCapabilities({ ...base, capAdd: ['SYS_RESOURCE'] }).includes('CAP_SYS_RESOURCE'));
  assert.deepEqual(effectiveCapabilities({ ...base, privileged: true }), hostCaps);
});

test('a container joins the pause process namespaces by path and never sets a hostname', () => {
  const spec = containerSpec(base);
  assert.deepEqual(spec.linux.namespaces, [
    { type: 'mount' }, { type: 'pid' }, { type: 'ipc', path: '/proc/42/ns/ipc' }, { type: 'uts', path: '/proc/42/ns/uts' },
    { type: 'network', path: '/run/netns/k8ts-x' },
  ]);
  assert.equal(spec.hostname, undefined);
  const shared = containerSpec({ ...base, sharePid: true, netnsPath: undefined });
  assert.deepEqual(shared.linux.namespaces[1], { type: 'pid', path: '/proc/42/ns/pid' });
  assert.equal(shared.linux.namespaces.find((n) => n.type === 'network'), undefined);
});

test('sandbox files are bind-mounted unless a volume covers the same path; volumes honour readOnly', () => {
  const spec = containerSpec({ ...base, mounts: [{ containerPath: '/etc/hosts', hostPath: '/v/hosts', readonly: true }, { containerPath: '/data', hostPath: '/v/data' }] });
  const binds = spec.mounts.filter((m) => m.type === 'bind').map((m) => [m.destination, m.source, m.options?.at(-1)]);
  assert.deepEqual(binds, [
    ['/dev/shm', '/s/shm', 'rw'], ['/etc/resolv.conf', '/s/resolv.conf', 'rw'], ['/etc/hosts', '/v/hosts', 'ro'], ['/data', '/v/data', 'rw'],
  ]);
});

test('resources become cgroup v1 limits; zero or absent limits are left out', () => {
  const spec = containerSpec({ ...base, memoryLimitBytes: 1 << 26, cpuShares: 512, cpuQuota: 50_000, pidsLimit: 0 });
  assert.deepEqual(spec.linux.resources, { devices: [{ allow: false, access: 'rwm' }], memory: { limit: 67108864 }, cpu: { shares: 512, quota: 50000, period: 100000 } });
  assert.deepEqual(containerSpec(base).linux.resources, { devices: [{ allow: false, access: 'rwm' }] });
});

test('the pause container runs catatonit -P unprivileged with the pod hostname in new ipc/uts/pid namespaces', () => {
  const spec = pauseSpec({ rootfs: '/r', catatonitPath: '/usr/bin/catatonit', hostname: 'web-0', cgroupsPath: '/k8ts/podu/s1', netnsPath: '/run/netns/n' });
  assert.deepEqual(spec.process.args, ['/catatonit', '-P']);
  assert.equal(spec.hostname, 'web-0');
  assert.deepEqual(spec.process.capabilities.bounding, []);
  assert.deepEqual(spec.linux.namespaces.map((n) => n.type).sort(), ['ipc', 'mount', 'network', 'pid', 'uts']);
  assert.equal(spec.root.readonly, true);
});
