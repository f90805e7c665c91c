import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mustRun } from '../runtime/command.ts';
import { createNetns, deleteNetns, netnsExists, netnsPath } from './netns.ts';
import { PodNetwork } from './pod-network.ts';

const isRoot = process.getuid?.() === 0;

test('CNI ADD gives a pod an IP on the bridge; DEL releases it and the netns goes', { skip: !isRoot && 'needs root' }, async () => {
  const tag = randomBytes(3).toString('hex');
  const node = `k8ts-tn-${tag}`;
  const stateDir = await mkdtemp(join(tmpdir(), 'k8ts-net-'));
  // Plugins run in a private "node" netns so the test never touches the host's links.
  await createNetns(node);
  const net = new PodNetwork({ stateDir, podCidr: '10.91.7.0/24', bridge: `kb${tag}`, netnsPrefix: `k8ts-tp${tag}-`, exec: { nodeNetns: netnsPath(node) } });
  const sandboxId = randomBytes(16).toString('hex');
  try {
    const status = await net.setUp({ sandboxId, namespace: 'default', name: 'p', uid: 'u1' });
    assert.match(status.ip, /^10\.91\.7\.\d+$/);
    assert.ok(await netnsExists(status.netnsName));
    const addrs = await mustRun('ip', ['-n', status.netnsName, '-4', 'addr', 'show', 'eth0']);
    assert.ok(addrs.includes(`${status.ip}/24`), addrs);
    const lo = await mustRun('ip', ['-n', status.netnsName, 'link', 'show', 'lo']);
    assert.match(lo, /UP/);
    // The node reaches the pod over the bridge.
    await mustRun('nsenter', [`--net=${netnsPath(node)}`, 'busybox', 'ping', '-c1', '-W2', status.ip]);
    await net.check(sandboxId);
    assert.equal((await net.status(sandboxId))?.ip, status.ip);
    await net.tearDown(sandboxId);
    assert.equal(await netnsExists(status.netnsName), false);
    assert.equal(await net.status(sandboxId), undefined);
    const reserved = await readdir(join(stateDir, 'ipam', 'k8ts'));
    assert.ok(!reserved.includes(status.ip), `IP still reserved: ${reserved.join(',')}`);
  } finally {
    await net.tearDown(sandboxId).catch(() => undefined);
    await deleteNetns(node);
    await rm(stateDir, { recursive: true, force: true });
  }
});
