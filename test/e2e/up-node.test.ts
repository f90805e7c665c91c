/**
 * The README's single-node cluster, end to end: `k8ts up` with every component (apiserver,
 * controller-manager, scheduler, kubelet, proxy, DNS) in a network namespace the test creates
 * (a host of its own, reached over a veth pair), an image dropped into the kubelet's images
 * directory, a Deployment behind a LoadBalancer Service answering on the node address and by
 * cluster DNS name, then Ctrl-C: nothing may be left running — no process, container, nft table or
 * bridge.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCommand } from '../../src/kubelet/runtime/command.ts';
import { buildBusyboxImage } from '../../src/kubelet/testing/build-image.ts';
import { canRunPods } from '../../src/kubelet/testing/kubelet-fixture.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { until } from '../util/wait.ts';

const k8ts = new URL('../../bin/k8ts', import.meta.url).pathname;
const tag = randomBytes(3).toString('hex');
const ns = `k8tsup${tag}`;
const hostVeth = `k8tsuh${tag}`;
const octet = 100 + (randomBytes(1)[0] % 100);
const hostIp = `10.254.${octet}.1`;
const nodeIp = `10.254.${octet}.2`;
const IMAGE = `k8ts.local/up/busybox:${tag}`;
// The two kubelet names that are global on the machine (cgroups, netns names) made unique.
const cgroupRoot = `k8ts-up-${tag}`;
const netnsPrefix = `k8tsu${tag}-`;

async function sh(...argv: string[]): Promise<string> {
  const r = await runCommand(argv[0] ?? 'false', argv.slice(1));
  if (r.code !== 0) {
    throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  }
  return r.stdout;
}

const inNode = (...argv: string[]): Promise<string> => sh('nsenter', `--net=/run/netns/${ns}`, ...argv);

describe('k8ts up: a whole single-node cluster in its own network namespace', { skip: !canRunPods && 'needs root, runc, conmon, catatonit and CNI plugins' }, () => {
  let dir = '';
  let dataDir = '';
  let up: ChildProcess | undefined;
  let upLog = '';
  let env: ClientEnv | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8ts-up-node-'));
    dataDir = join(dir, 'data');
    await sh('ip', 'netns', 'add', ns);
    await sh('ip', 'link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await sh('ip', 'addr', 'add', `${hostIp}/30`, 'dev', hostVeth);
    await sh('ip', 'link', 'set', hostVeth, 'up');
    await inNode('ip', 'link', 'set', 'lo', 'up');
    await inNode('ip', 'addr', 'add', `${nodeIp}/30`, 'dev', 'eth0');
    await inNode('ip', 'link', 'set', 'eth0', 'up');
    await inNode('ip', 'route', 'add', 'default', 'via', hostIp);
    await inNode('sysctl', '-qw', 'net.ipv4.ip_forward=1');
    // The air-gapped way in: an archive in <root-dir>/images, imported when the kubelet starts.
    const image = await buildBusyboxImage({ ref: IMAGE, outDir: dir });
    await mkdir(join(dataDir, 'kubelet', 'images'), { recursive: true });
    await copyFile(image.archivePath, join(dataDir, 'kubelet', 'images', 'busybox.tar'));
    // nsenter only switches the network namespace (`ip netns exec` would remount /sys and hide cgroups).
    up = spawn('nsenter', [`--net=/run/netns/${ns}`, k8ts, 'up', '--data-dir', dataDir, '--secure-port', '6443',
      '--kubelet-arg', `cgroup-root=${cgroupRoot}`, '--kubelet-arg', `netns-prefix=${netnsPrefix}`], {
      env: { ...process.env, KUBECONFIG: join(dir, 'merged.kubeconfig') }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer): void => {
      upLog = (upLog + d.toString('utf8')).slice(-40_000);
    };
    up.stdout?.on('data', keep);
    up.stderr?.on('data', keep);
    await until('k8ts up reports the cluster up', () => (/k8ts cluster is up/.test(upLog) ? true : up?.exitCode !== null && up?.exitCode !== undefined ? Promise.reject(new Error(`up exited:\n${upLog}`)) : undefined), { timeoutMs: 120_000, context: () => upLog });
    // The kubeconfig names the apiserver by an address of the node: reach it over the veth.
    const admin = await readFile(join(dataDir, 'admin.kubeconfig'), 'utf8');
    const path = join(dir, 'host.kubeconfig');
    await writeFile(path, admin.replace(/server: https:\/\/[^:\s]+:/, `server: https://${nodeIp}:`));
    env = clientEnv(path);
  });

  after(async () => {
    env?.cleanup();
    if (up !== undefined && up.exitCode === null && up.signalCode === null) {
      // The graceful way first: up stops its pods and components itself.
      const exited = new Promise<void>((resolve) => up?.once('exit', () => resolve()));
      up.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
    }
    // Whatever a failed run left: processes and containers of this data dir and cgroup root,
    // rootfs mounts, pod network namespaces, the node's namespace and veth, the directory.
    await runCommand('pkill', ['-KILL', '-f', dataDir]);
    for (const procs of (await runCommand('find', ['/sys/fs/cgroup/pids', '-path', `*/${cgroupRoot}/*`, '-name', 'cgroup.procs'])).stdout.split('\n').filter((l) => l !== '')) {
      for (const pid of (await readFile(procs, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '')) {
        await runCommand('kill', ['-9', pid]);
      }
    }
    for (const m of (await readFile('/proc/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1] ?? '').filter((p) => p.startsWith(dir)).reverse()) {
      await runCommand('umount', ['-l', m]);
    }
    for (const n of (await runCommand('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(netnsPrefix))) {
      await runCommand('ip', ['netns', 'delete', n]);
    }
    await runCommand('sh', ['-c', `for d in /sys/fs/cgroup/*/${cgroupRoot}; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \\; ; done; true`]);
    await runCommand('ip', ['netns', 'delete', ns]);
    await runCommand('ip', ['link', 'delete', hostVeth]);
    await rm(dir, { recursive: true, force: true });
  });

  test('a Deployment behind a LoadBalancer Service answers on the node address and by DNS name; Ctrl-C leaves nothing behind', { timeout: 300_000 }, async () => {
    assert.ok(env !== undefined);
    const e = env;
    const node = await until('the node Ready', async () => {
      const out = await kubectl(e, ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{end}']);
      return /=True$/.test(out.stdout) ? out.stdout : undefined;
    }, { timeoutMs: 120_000, context: () => upLog });
    assert.match(node, /=True$/);
    await kubectlOk(e, ['create', 'deployment', 'web', `--image=${IMAGE}`, '--', 'sh', '-c', 'hostname > /tmp/index.html; exec httpd -f -p 8080 -h /tmp']);
    await kubectlOk(e, ['expose', 'deployment', 'web', '--type=LoadBalancer', '--port=18080', '--target-port=8080']);
    await kubectlOk(e, ['rollout', 'status', 'deployment/web', '--timeout=150s'], { timeoutMs: 160_000 });
    const external = await until('the LoadBalancer address', async () => (await kubectlOk(e, ['get', 'service', 'web', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim() || undefined, { context: () => upLog });
    assert.equal(external, nodeIp, 'the node address, as k3s servicelb gives it');
    const pod = (await kubectlOk(e, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    // From outside the node (the host side of the veth), through the LoadBalancer address.
    const body = await until('http://<node>:18080/ from outside', async () => {
      const r = await runCommand('curl', ['-s', '-m', '5', `http://${external}:18080/`]);
      return r.code === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
    }, { timeoutMs: 60_000, context: () => upLog });
    assert.equal(body, pod);
    // From inside the pod, by cluster DNS name (resolv.conf from the kubelet, DNS served by up),
    // back to the pod itself through the Service (hairpin). busybox's nc: its static wget crashes.
    const viaDns = await until('web.default.svc.cluster.local from the pod', async () => {
      const r = await kubectl(e, ['exec', pod, '--', 'sh', '-c', 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 5 web.default.svc.cluster.local 18080'], { timeoutMs: 30_000 });
      return r.code === 0 && r.stdout.includes('200 OK') ? r.stdout.trim().split('\n').pop()?.trim() : undefined;
    }, { timeoutMs: 60_000, context: () => upLog });
    assert.equal(viaDns, pod);

    // Ctrl-C: up stops every component, the pods, the proxy's rules and the pod bridge.
    const exited = new Promise<number | null>((resolve) => up?.once('exit', (code) => resolve(code)));
    up?.kill('SIGINT');
    assert.equal(await exited, 0, upLog);
    assert.equal((await runCommand('runc', ['--root', join(dataDir, 'kubelet', 'runtime', 'runc'), 'list', '-q'])).stdout.trim(), '', 'no container left');
    assert.equal((await inNode('nft', 'list', 'tables')).trim(), '', 'no nft table left in the node');
    assert.doesNotMatch(await inNode('ip', '-br', 'link'), /k8ts0/, 'no pod bridge left');
    assert.equal((await runCommand('pgrep', ['-f', dataDir])).stdout.trim(), '', 'no process of this cluster left');
    assert.equal((await runCommand('ls', ['-d', `/sys/fs/cgroup/memory/${cgroupRoot}`])).code, 2, 'no cgroup left');
  });
});
