import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { agentOptions } from './agent.ts';
import { proxyOptions } from './proxy.ts';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const units = join(root, 'deploy/systemd');

/** The unit's ExecStart flags with ${VAR} taken from its Environment= defaults and $ARGS dropped. */
function execFlags(unit: string, command: string): string[] {
  const env = new Map([...unit.matchAll(/^Environment=(\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  const exec = new RegExp(`^ExecStart=(\\S+) ${command} (.*)$`, 'm').exec(unit);
  assert.ok(exec !== null, `ExecStart runs \`k8ts ${command}\``);
  assert.equal(exec[1], '/usr/local/bin/k8ts');
  return exec[2].split(/\s+/).filter((a) => a !== '' && !/^\$\w+$/.test(a)).map((a) => a.replace(/\$\{(\w+)\}/g, (_m, v: string) => env.get(v) ?? ''));
}

test('the kube-proxy and k8ts-agent units pass systemd-analyze verify and their flags parse', async (t) => {
  const proxy = await readFile(join(units, 'kube-proxy.service'), 'utf8');
  const agent = await readFile(join(units, 'k8ts-agent.service'), 'utf8');
  assert.equal(proxyOptions(execFlags(proxy, 'proxy'))?.options.kubeconfig, '/var/lib/k8ts/kube-proxy.kubeconfig');
  const a = await agentOptions(execFlags(agent, 'agent'));
  assert.equal(a?.kubeconfig, '/var/lib/k8ts/kubelet.kubeconfig');
  assert.equal(a?.kubelet?.kubeconfig, a?.kubeconfig, 'the kubelet gets the agent\'s kubeconfig');
  assert.equal(a?.proxy?.kubeconfig, a?.kubeconfig, 'so does the proxy');
  if (!existsSync('/usr/bin/systemd-analyze')) {
    t.skip('systemd-analyze not installed');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-units-'));
  try {
    // verify insists that ExecStart binaries exist: point them at the one in this tree.
    const k8ts = join(root, 'bin/k8ts');
    await writeFile(join(dir, 'kube-proxy.service'), proxy.replaceAll('/usr/local/bin/k8ts', k8ts));
    await writeFile(join(dir, 'k8ts-agent.service'), agent.replaceAll('/usr/local/bin/k8ts', k8ts));
    const { stderr } = await run('systemd-analyze', ['verify', '--man=false', join(dir, 'kube-proxy.service'), join(dir, 'k8ts-agent.service')]);
    assert.equal(stderr.trim(), '', 'no warnings');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
