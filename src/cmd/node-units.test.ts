import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentOptions } from './agent.ts';
import { kubeletOptions } from './kubelet.ts';
import { proxyOptions } from './proxy.ts';
import { assertUnitsVerify, execFlags, readUnit } from './testing/units.ts';

test('the kubelet, kube-proxy and k8ts-agent units pass systemd-analyze verify and their flags parse', async (t) => {
  const kubelet = await readUnit('kubelet.service');
  const k = kubeletOptions(execFlags(kubelet, 'kubelet'));
  assert.equal(k?.kubeconfig, '/var/lib/k8ts/kubelet.kubeconfig', 'the kubelet\'s own identity, as `k8ts up` writes it');
  assert.equal(k?.rootDir, '/var/lib/k8ts/kubelet');
  assert.deepEqual(k?.imageGc, { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 120_000 }, 'image GC on with upstream\'s defaults');
  assert.match(kubelet, /^KillMode=process$/m, 'stopping the kubelet leaves its pods running for the next one to adopt');
  const proxy = await readUnit('kube-proxy.service');
  const agent = await readUnit('k8ts-agent.service');
  assert.equal(proxyOptions(execFlags(proxy, 'proxy'))?.options.kubeconfig, '/var/lib/k8ts/kube-proxy.kubeconfig');
  const a = await agentOptions(execFlags(agent, 'agent'));
  assert.equal(a?.kubeconfig, '/var/lib/k8ts/kubelet.kubeconfig');
  assert.equal(a?.kubelet?.kubeconfig, a?.kubeconfig, 'the kubelet gets the agent\'s kubeconfig');
  assert.equal(a?.proxy?.kubeconfig, a?.kubeconfig, 'so does the proxy');
  await assertUnitsVerify(t, { 'kubelet.service': kubelet, 'kube-proxy.service': proxy, 'k8ts-agent.service': agent });
});

test('agent flags: pass-through values keep their commas; the service LB pool is parsed; bad pools are flag errors', async () => {
  const a = await agentOptions(['--kubeconfig', '/k', '--hostname-override', 'N1', '--kubelet-arg', 'cluster-dns=10.96.0.10,10.96.0.11', '--proxy-arg=cluster-cidr=10.244.0.0/16', '--service-lb-pool', '192.168.1.240/30', '--no-routes']);
  assert.equal(a?.nodeName, 'n1');
  assert.deepEqual(a?.kubelet?.clusterDns, ['10.96.0.10', '10.96.0.11']);
  assert.equal(a?.proxy?.clusterCIDR, '10.244.0.0/16');
  assert.equal(a?.proxy?.hostname, 'n1');
  assert.deepEqual(a?.lbPool, ['192.168.1.240', '192.168.1.241', '192.168.1.242', '192.168.1.243']);
  assert.equal(a?.routes, false);
  const onlyRoutes = await agentOptions(['--kubeconfig', '/k', '--no-kubelet', '--no-proxy']);
  assert.equal(onlyRoutes?.kubelet, undefined);
  assert.equal(onlyRoutes?.proxy, undefined);
  await assert.rejects(agentOptions(['--kubeconfig', '/k', '--service-lb-pool', '10.0.0.9-10.0.0.1']), /service-lb-pool/);
  await assert.rejects(agentOptions(['--kubeconfig', '/k', '--proxy-arg', 'no-such-flag=1']), /unknown flag: --no-such-flag/);
});
