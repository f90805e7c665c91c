/**
 * kube-proxy end to end, as root, without touching the host's network namespace.
 *
 * Approach: the proxy process runs in the host namespace (so it reaches the test apiserver
 * on 127.0.0.1 like every other component) with `--netns <node>`: every nft/sysctl/ip it runs
 * goes through `ip netns exec <node>`. The test builds a "node" namespace with a bridge and two
 * backend "pod" namespaces (busybox httpd on :8080) and curls the ClusterIP and NodePorts from
 * inside the node and from a pod. Deleting the namespaces removes bridge, veths and the table.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startApiServer } from '../util/apiserver.ts';
import { testApiClient } from '../util/http.ts';
import type { TestApiClient } from '../util/http.ts';

const k8ts = new URL('../../bin/k8ts', import.meta.url).pathname;
const exec = promisify(execFile);
const suffix = Math.random().toString(36).slice(2, 8);
const node = `k8ts-proxytest-${suffix}`;
const pods = [
  { ns: `${node}-a`, veth: `kpa${suffix}`, ip: '10.244.0.2', name: 'pod-a' },
  { ns: `${node}-b`, veth: `kpb${suffix}`, ip: '10.244.0.3', name: 'pod-b' },
];
const isRoot = process.getuid?.() === 0;
const nodeBin = new URL('../../node_modules/node/bin/node', import.meta.url).pathname;
const proxyCmd = new URL('../../src/cmd/proxy.ts', import.meta.url).pathname;

/** argv for `k8ts proxy ARGS`: through bin/k8ts once main.ts registers the command, else the module's main directly. */
async function proxyArgv(args: string[]): Promise<[string, string[]]> {
  const help = await exec(k8ts, ['--help']).then((r) => r.stdout, () => '');
  if (/^\s+proxy\s/m.test(help)) {
    return [k8ts, ['proxy', ...args]];
  }
  const runMain = `const m = await import(${JSON.stringify(proxyCmd)}); process.exitCode = await m.main(process.argv.slice(1));`;
  return [nodeBin, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', runMain, '--', ...args]];
}

async function sh(...argv: string[]): Promise<string> {
  const [cmd = 'false', ...args] = argv;
  return (await exec(cmd, args)).stdout;
}

/** One HTTP GET from inside a namespace: the body, or `curl:<exit code>` on failure. */
async function curl(ns: string, url: string): Promise<string> {
  try {
    return (await exec('ip', ['netns', 'exec', ns, 'curl', '-s', '--max-time', '3', url])).stdout.trim();
  } catch (e) {
    return `curl:${(e as { code?: number }).code ?? '?'}`;
  }
}

/** Counts which backend answered each of `n` requests. */
async function spread(ns: string, url: string, n: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const body = await curl(ns, url);
    seen.set(body, (seen.get(body) ?? 0) + 1);
  }
  return seen;
}

async function eventually(check: () => Promise<void>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) {
        throw e;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('kube-proxy (k8ts proxy, nftables) in a scratch network namespace', { skip: isRoot ? false : 'needs root' }, () => {
  let server: Awaited<ReturnType<typeof startApiServer>> | undefined;
  let client: TestApiClient | undefined;
  let proxy: ChildProcess | undefined;
  let proxyLog = '';
  const daemons: ChildProcess[] = [];
  let dir = '';
  let clusterIP = '';
  let nodePort = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8ts-proxytest-'));
    await sh('ip', 'netns', 'add', node);
    await sh('ip', '-n', node, 'link', 'set', 'lo', 'up');
    await sh('ip', 'netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    await sh('ip', '-n', node, 'link', 'add', 'kp0', 'type', 'bridge');
    await sh('ip', '-n', node, 'addr', 'add', '10.244.0.1/24', 'dev', 'kp0');
    await sh('ip', '-n', node, 'link', 'set', 'kp0', 'up');
    // Node-originated traffic to a ClusterIP needs a route, or connect() fails before any hook runs.
    await sh('ip', '-n', node, 'route', 'add', '10.96.0.0/12', 'dev', 'kp0');
    for (const p of pods) {
      await sh('ip', 'netns', 'add', p.ns);
      await sh('ip', '-n', p.ns, 'link', 'set', 'lo', 'up');
      await sh('ip', '-n', node, 'link', 'add', p.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p.ns);
      await sh('ip', '-n', node, 'link', 'set', p.veth, 'master', 'kp0', 'up');
      // Hairpin: a pod reaching itself through the Service leaves and re-enters on the same port.
      await sh('ip', '-n', node, 'link', 'set', p.veth, 'type', 'bridge_slave', 'hairpin', 'on');
      await sh('ip', '-n', p.ns, 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0');
      await sh('ip', '-n', p.ns, 'link', 'set', 'eth0', 'up');
      await sh('ip', '-n', p.ns, 'route', 'add', 'default', 'via', '10.244.0.1');
      const www = join(dir, p.name);
      await sh('mkdir', '-p', www);
      await writeFile(join(www, 'index.html'), `${p.name}\n`);
      const httpd = spawn('ip', ['netns', 'exec', p.ns, 'busybox', 'httpd', '-f', '-p', '8080', '-h', www], { stdio: 'ignore', env: {} });
      daemons.push(httpd);
    }
    server = await startApiServer();
    client = testApiClient(server.url, server.kubeconfig, server.token);
    const [cmd, args] = await proxyArgv(['--kubeconfig', server.kubeconfig, '--netns', node, '--hostname-override', 'node-a', '--cluster-cidr', '10.244.0.0/16', '--min-sync-period', '100ms']);
    proxy = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    proxy.stderr?.on('data', (d: Buffer) => (proxyLog = (proxyLog + d.toString()).slice(-20_000)));
  });

  after(async () => {
    proxy?.kill('SIGTERM');
    for (const d of daemons) {
      d.kill('SIGKILL');
    }
    client?.close();
    await server?.stop();
    for (const ns of [node, ...pods.map((p) => p.ns)]) {
      await sh('ip', 'netns', 'del', ns).catch(() => undefined);
    }
    if (dir !== '') {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('ClusterIP and NodePort balance over both backends; ClientIP affinity sticks; no endpoints → rejected; --cleanup removes the table', async () => {
    assert.ok(client !== undefined);
    const svc = await client.request('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] },
    });
    assert.equal(svc.status, 201, svc.body);
    const created = svc.json<{ spec: { clusterIP: string; ports: { nodePort: number }[] } }>();
    clusterIP = created.spec.clusterIP;
    nodePort = created.spec.ports[0]?.nodePort ?? 0;
    assert.ok(nodePort > 0);
    const slice = await client.request('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: pods.map((p) => ({ addresses: [p.ip], conditions: { ready: true }, nodeName: 'node-a' })),
    });
    assert.equal(slice.status, 201, slice.body);

    await eventually(async () => assert.match(await curl(node, `http://${clusterIP}/`), /^pod-[ab]$/, proxyLog));
    const fromNode = await spread(node, `http://${clusterIP}/`, 12);
    assert.deepEqual([...fromNode.keys()].sort(), ['pod-a', 'pod-b'], `node → ClusterIP: ${JSON.stringify([...fromNode])}`);
    const fromPod = await spread(pods[0]?.ns ?? '', `http://${clusterIP}/`, 12);
    assert.deepEqual([...fromPod.keys()].sort(), ['pod-a', 'pod-b'], `pod → ClusterIP (incl. hairpin): ${JSON.stringify([...fromPod])}`);
    const viaNodeIP = await spread(node, `http://10.244.0.1:${nodePort}/`, 12);
    assert.deepEqual([...viaNodeIP.keys()].sort(), ['pod-a', 'pod-b'], `NodePort on node IP: ${JSON.stringify([...viaNodeIP])}`);
    const viaLocalhost = await spread(node, `http://127.0.0.1:${nodePort}/`, 12);
    assert.deepEqual([...viaLocalhost.keys()].sort(), ['pod-a', 'pod-b'], `NodePort on localhost: ${JSON.stringify([...viaLocalhost])}`);

    // sessionAffinity ClientIP: once switched on, one client sticks to one backend.
    const aff = await client.request('PATCH', '/api/v1/namespaces/default/services/web', { spec: { sessionAffinity: 'ClientIP' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(aff.status, 200, aff.body);
    await eventually(async () => assert.match(await sh('ip', 'netns', 'exec', node, 'nft', 'list', 'table', 'ip', 'k8ts-proxy'), /set affinity-/));
    const sticky = await spread(node, `http://${clusterIP}/`, 12);
    assert.equal(sticky.size, 1, `affinity: ${JSON.stringify([...sticky])}`);

    // A port the Service does not have, on its cluster IP: rejected, not left to time out.
    assert.equal(await curl(node, `http://${clusterIP}:81/`), 'curl:7');

    // Without endpoints: rejected (curl 7, "connection refused"), on the ClusterIP and the NodePort.
    const del = await client.request('DELETE', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-1');
    assert.equal(del.status, 200, del.body);
    await eventually(async () => assert.equal(await curl(node, `http://${clusterIP}/`), 'curl:7', proxyLog));
    assert.equal(await curl(node, `http://10.244.0.1:${nodePort}/`), 'curl:7');

    // Stop the proxy: the table stays (Services keep working across restarts) until --cleanup.
    const p = proxy;
    assert.ok(p !== undefined);
    const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
    p.kill('SIGTERM');
    assert.equal(await exited, 0, proxyLog);
    assert.match(await sh('ip', 'netns', 'exec', node, 'nft', 'list', 'tables'), /table ip k8ts-proxy/);
    const [cmd, args] = await proxyArgv(['--cleanup', '--netns', node]);
    await exec(cmd, args);
    assert.equal((await sh('ip', 'netns', 'exec', node, 'nft', 'list', 'ruleset')).trim(), '');
  });
});
