/**
 * `k8ts kubelet` end to end, as root with real runc, conmon and CNI, a real apiserver and real
 * kubectl 1.35: node registration and lease; a two-container pod sharing its network namespace
 * becomes Running with a pod IP reachable from the node; logs; CrashLoopBackOff; OOMKilled through the pod status; deletion with
 * grace removes every runc container, netns, mount, cgroup and veth the pod had.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Runc } from '../../src/kubelet/runtime/runc.ts';
import { canRunPods, eventually, httpGet, startKubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import type { KubeletFixture, KubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import { identityKubeconfig, startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';

interface PodJson {
  metadata: { uid: string; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  status?: {
    phase?: string;
    podIP?: string;
    hostIP?: string;
    qosClass?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; ready: boolean; restartCount: number; containerID?: string; imageID?: string; state: { running?: unknown; waiting?: { reason: string }; terminated?: { exitCode: number; reason?: string } }; lastState: { terminated?: { exitCode: number } } }[];
  };
}

describe('k8ts kubelet (real runc, apiserver and kubectl)', { skip: !canRunPods && 'needs root, runc, conmon, catatonit and CNI plugins' }, () => {
  let bed: KubeletTestbed<TestApiServer>;
  let env: ClientEnv;
  let fixture: KubeletFixture;
  let nodeName = '';
  let rootDir = '';
  let manifestDir = '';

  before(async () => {
    manifestDir = await mkdtemp(join(tmpdir(), 'k8ts-static-'));
    // The kubelet runs as its node (system:node:<name>) under Node,RBAC, as in `k8ts up`: every
    // secret, configmap and token it reads must come through the Node authorizer's graph.
    bed = await startKubeletTestbed('e2e', 'k8ts.local/e2e/busybox:1', () => startApiServer({ extraArgs: ['--authorization-mode', 'Node,RBAC'] }), [], ['--pod-manifest-path', manifestDir],
      (api, node) => identityKubeconfig(api.url, api.dataDir, 'kubelet-e2e', `system:node:${node}`, ['system:nodes']));
    fixture = bed.kubelet;
    env = clientEnv(bed.api.kubeconfig);
    nodeName = fixture.nodeName;
    rootDir = fixture.rootDir;
  });

  after(async () => {
    env?.cleanup();
    await bed?.stop();
    await rm(manifestDir, { recursive: true, force: true });
  });

  async function getPod(name: string): Promise<PodJson> {
    return JSON.parse(await kubectlOk(env, ['get', 'pod', name, '-o', 'json'])) as PodJson;
  }

  const leftovers = (uid: string): Promise<string[]> => fixture.leftovers(uid);

  test('the Node registers Ready with capacity and a Lease in kube-node-lease', async () => {
    const node = await eventually('the node to be Ready', async () => {
      const r = await kubectl(env, ['get', 'node', nodeName, '-o', 'json']);
      if (r.code !== 0) {
        return undefined;
      }
      const n = JSON.parse(r.stdout) as { status: { conditions: { type: string; status: string }[]; capacity: Record<string, string>; allocatable: Record<string, string>; addresses: { type: string }[]; nodeInfo: { kubeletVersion: string } } };
      return n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? n : undefined;
    });
    assert.equal(node.status.conditions.at(-1)?.type, 'Ready');
    for (const r of ['cpu', 'memory', 'pods', 'ephemeral-storage']) {
      assert.ok(node.status.capacity[r] !== undefined && node.status.allocatable[r] !== undefined, r);
    }
    assert.ok(node.status.addresses.some((a) => a.type === 'InternalIP'));
    const lease = JSON.parse(await kubectlOk(env, ['get', 'lease', '-n', 'kube-node-lease', nodeName, '-o', 'json'])) as { spec: { holderIdentity: string; renewTime: string } };
    assert.equal(lease.spec.holderIdentity, nodeName);
    assert.ok(lease.spec.renewTime !== '');
  });

  test('two containers share the pod network; the pod IP answers from the node; logs; deletion cleans up', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        nodeName, terminationGracePeriodSeconds: 5,
        containers: [
          { name: 'httpd', image: 'k8ts.local/e2e/busybox:1', command: ['sh', '-c', 'echo "hello from $(hostname)" > /tmp/index.html; echo serving; exec httpd -f -p 8080 -h /tmp'] },
          { name: 'client', image: 'k8ts.local/e2e/busybox:1', command: ['sh', '-c'], args: ['trap "exit 0" TERM; until wget -q -O- http://127.0.0.1:8080/index.html; do sleep 0.2; done; while true; do sleep 0.2; done'], env: [{ name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] },
        ],
      },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const pod = await eventually('the pod to be Running and Ready', async () => {
      const p = await getPod('web');
      return p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true ? p : undefined;
    });
    assert.match(pod.status?.podIP ?? '', /^10\.\d+\.\d+\.\d+$/);
    assert.equal(pod.status?.qosClass, 'BestEffort');
    const statuses = pod.status?.containerStatuses ?? [];
    assert.deepEqual(statuses.map((s) => s.name), ['httpd', 'client']);
    for (const s of statuses) {
      assert.equal(s.ready, true);
      assert.equal(s.restartCount, 0);
      assert.match(s.containerID ?? '', /^k8ts:\/\/[0-9a-f]+$/);
      assert.match(s.imageID ?? '', /^sha256:[0-9a-f]{64}$/);
    }
    const r = await eventually('httpd on the pod IP', async () => {
      const res = await httpGet(`http://${pod.status?.podIP}:8080/index.html`);
      return res.status === 200 ? res.body : undefined;
    });
    assert.equal(r, 'hello from web\n');
    // The client container fetched the page over the shared loopback.
    const clientLog = (await readdir(join(rootDir, 'logs'))).find((d) => d.includes(pod.metadata.uid));
    assert.ok(clientLog !== undefined);
    await eventually('the client to have logged the page', async () => ((await readFile(join(rootDir, 'logs', clientLog, 'client', '0.log'), 'utf8')).includes('hello from web') ? true : undefined));

    // Logs and exec go apiserver → kubelet API.
    assert.equal(await kubectlOk(env, ['logs', 'web', '-c', 'httpd']), 'serving\n');
    const noContainer = await kubectl(env, ['logs', 'web', '-c', 'nope']);
    assert.notEqual(noContainer.code, 0);
    assert.match(noContainer.stderr, /container nope is not valid for pod web/);
    const exec = await kubectl(env, ['exec', 'web', '-c', 'client', '--', 'sh', '-c', 'echo "$MY_POD"; echo oops >&2; exit 3']);
    assert.equal(exec.code, 3);
    assert.equal(exec.stdout, 'web\n');
    assert.match(exec.stderr, /oops/);
    assert.equal(await kubectlOk(env, ['exec', '-i', 'web', '-c', 'httpd', '--', 'cat'], { stdin: 'through stdin\n' }), 'through stdin\n');

    await kubectlOk(env, ['delete', 'pod', 'web', '--wait=true'], { timeoutMs: 60_000 });
    const gone = await kubectl(env, ['get', 'pod', 'web']);
    assert.notEqual(gone.code, 0);
    assert.deepEqual(await eventually('cleanup', async () => {
      const left = await leftovers(pod.metadata.uid);
      return left.length === 0 ? left : undefined;
    }, 30_000).catch(async () => leftovers(pod.metadata.uid)), []);
  });

  test('a crashing container goes to CrashLoopBackOff with its last exit recorded', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crasher', namespace: 'default' },
      spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'crash', image: 'k8ts.local/e2e/busybox:1', command: ['sh', '-c', 'echo dying; exit 3'] }] },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const pod = await eventually('CrashLoopBackOff', async () => {
      const p = await getPod('crasher');
      const s = p.status?.containerStatuses?.[0];
      return s?.state.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    });
    const s = pod.status?.containerStatuses?.[0];
    assert.equal(s?.lastState.terminated?.exitCode, 3);
    assert.ok((s?.restartCount ?? 0) >= 1);
    assert.equal(pod.status?.phase, 'Running');
    assert.equal(s?.ready, false);
    assert.equal(await kubectlOk(env, ['logs', 'crasher', '--previous']), 'dying\n');
    await kubectlOk(env, ['delete', 'pod', 'crasher', '--wait=true'], { timeoutMs: 60_000 });
    assert.deepEqual(await eventually('cleanup', async () => {
      const left = await leftovers(pod.metadata.uid);
      return left.length === 0 ? left : undefined;
    }, 30_000).catch(async () => leftovers(pod.metadata.uid)), []);
  });

  test('kubectl logs -f follows a running container until it exits; --tail', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'counter', namespace: 'default' },
      spec: { nodeName, restartPolicy: 'Never', containers: [{ name: 'count', image: 'k8ts.local/e2e/busybox:1', command: ['sh', '-c', 'for i in 1 2 3 4 5 6; do echo line $i; sleep 0.5; done'] }] },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    await eventually('the container to start', async () => ((await getPod('counter')).status?.containerStatuses?.[0]?.state.running !== undefined ? true : undefined));
    const followed = await kubectlOk(env, ['logs', '-f', 'counter'], { timeoutMs: 60_000 });
    assert.equal(followed, 'line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n');
    assert.equal(await kubectlOk(env, ['logs', 'counter', '--tail=2']), 'line 5\nline 6\n');
    await kubectlOk(env, ['delete', 'pod', 'counter', '--wait=true'], { timeoutMs: 60_000 });
  });

  test('probes: readiness gates Ready; a failing liveness probe restarts the container', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probed', namespace: 'default' },
      spec: {
        nodeName, terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'ready', image: 'k8ts.local/e2e/busybox:1', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'], readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 } },
          { name: 'live', image: 'k8ts.local/e2e/busybox:1', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'], livenessProbe: { tcpSocket: { port: 9 }, periodSeconds: 1, failureThreshold: 1 } },
        ],
      },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const notReady = await eventually('ready to run but not be ready', async () => {
      const p = await getPod('probed');
      const s = p.status?.containerStatuses?.find((c) => c.name === 'ready');
      return s?.state.running !== undefined ? p : undefined;
    });
    assert.equal(notReady.status?.containerStatuses?.find((c) => c.name === 'ready')?.ready, false);
    await kubectlOk(env, ['exec', 'probed', '-c', 'ready', '--', 'touch', '/tmp/ready']);
    await eventually('ready to become Ready', async () => ((await getPod('probed')).status?.containerStatuses?.find((c) => c.name === 'ready')?.ready === true ? true : undefined));
    await eventually('live to be restarted by its liveness probe', async () => (((await getPod('probed')).status?.containerStatuses?.find((c) => c.name === 'live')?.restartCount ?? 0) >= 1 ? true : undefined));
    await kubectlOk(env, ['delete', 'pod', 'probed', '--wait=true'], { timeoutMs: 60_000 });
  });

  test('a kubelet killed with SIGKILL and restarted adopts its running pod (no restart, no duplicate)', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'survivor', namespace: 'default' },
      spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'k8ts.local/e2e/busybox:1', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'] }] },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const before = await eventually('Running', async () => {
      const p = await getPod('survivor');
      return p.status?.containerStatuses?.[0]?.state.running !== undefined ? p : undefined;
    });
    await fixture.kill();
    fixture.start();
    // The restarted kubelet proves it is serving again by running a new pod.
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify({ ...manifest, metadata: { name: 'after-restart', namespace: 'default' } }) });
    await eventually('the new pod to run', async () => ((await getPod('after-restart')).status?.containerStatuses?.[0]?.state.running !== undefined ? true : undefined));
    const after = await getPod('survivor');
    const b = before.status?.containerStatuses?.[0];
    const a = after.status?.containerStatuses?.[0];
    assert.equal(a?.containerID, b?.containerID);
    assert.equal(a?.restartCount, 0);
    const runc = new Runc(join(rootDir, 'runtime', 'runc'));
    const running = (await runc.list()).filter((c) => c.status === 'running');
    // Two pods: two pause containers and two app containers, nothing more.
    assert.equal(running.length, 4);
    await kubectlOk(env, ['delete', 'pod', 'survivor', 'after-restart', '--wait=true'], { timeoutMs: 60_000 });
  });

  test('volumes: configMap, secret, emptyDir (Memory), downwardAPI, subPath; env from configMap/secret', async () => {
    await kubectlOk(env, ['create', 'configmap', 'vol-cm', '--from-literal=greeting=hello', '--from-literal=other=x']);
    await kubectlOk(env, ['create', 'secret', 'generic', 'vol-secret', '--from-literal=password=s3cret']);
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'vols', namespace: 'default', labels: { app: 'vols' } },
      spec: {
        nodeName, terminationGracePeriodSeconds: 1,
        volumes: [
          { name: 'cm', configMap: { name: 'vol-cm' } }, { name: 'sec', secret: { secretName: 'vol-secret' } },
          { name: 'mem', emptyDir: { medium: 'Memory' } }, { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        ],
        containers: [{
          name: 'main', image: 'k8ts.local/e2e/busybox:1', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'],
          env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'vol-cm', key: 'greeting' } } }, { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'vol-secret', key: 'password' } } }],
          volumeMounts: [
            { name: 'cm', mountPath: '/etc/cm', readOnly: true }, { name: 'sec', mountPath: '/etc/sec' }, { name: 'mem', mountPath: '/scratch' },
            { name: 'info', mountPath: '/etc/info' }, { name: 'mem', mountPath: '/sub', subPath: 'part' },
          ],
        }],
      },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const pod = await eventually('Running', async () => {
      const p = await getPod('vols');
      return p.status?.containerStatuses?.[0]?.state.running !== undefined ? p : undefined;
    });
    const out = await kubectlOk(env, ['exec', 'vols', '--', 'sh', '-c',
      'cat /etc/cm/greeting; echo; cat /etc/sec/password; echo; echo "$GREETING $PASSWORD"; cat /etc/info/labels; echo; grep " /scratch " /proc/mounts | cut -d" " -f3; touch /sub/f && ls /scratch/part; touch /etc/cm/x 2>/dev/null || echo ro']);
    assert.equal(out, 'hello\ns3cret\nhello s3cret\napp="vols"\ntmpfs\nf\nro\n');
    // ConfigMap updates reach the mounted files.
    await kubectlOk(env, ['create', 'configmap', 'vol-cm', '--from-literal=greeting=updated', '--dry-run=client', '-o', 'yaml'])
      .then((yaml) => kubectlOk(env, ['replace', '-f', '-'], { stdin: yaml }));
    await eventually('the update to propagate', async () => ((await kubectlOk(env, ['exec', 'vols', '--', 'cat', '/etc/cm/greeting'])) === 'updated' ? true : undefined));
    await kubectlOk(env, ['delete', 'pod', 'vols', '--wait=true'], { timeoutMs: 60_000 });
    assert.deepEqual(await eventually('cleanup', async () => {
      const left = await leftovers(pod.metadata.uid);
      return left.length === 0 ? left : undefined;
    }, 30_000).catch(async () => leftovers(pod.metadata.uid)), []);
  });

  test('a container that allocates past its memory limit is reported OOMKilled (exit 137) in the pod status', async () => {
    // dd's 64 MiB block buffer cannot fit in a 16 MiB memory cgroup: the kernel's OOM killer ends it.
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'oom', namespace: 'default' },
      spec: {
        nodeName, restartPolicy: 'Never', terminationGracePeriodSeconds: 1,
        containers: [{ name: 'hog', image: 'k8ts.local/e2e/busybox:1', command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'], resources: { limits: { memory: '16Mi' } } }],
      },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const pod = await eventually('the container to terminate', async () => {
      const p = await getPod('oom');
      return p.status?.containerStatuses?.[0]?.state.terminated !== undefined ? p : undefined;
    });
    const s = pod.status?.containerStatuses?.[0];
    assert.equal(s?.state.terminated?.reason, 'OOMKilled');
    assert.equal(s?.state.terminated?.exitCode, 137);
    assert.equal(pod.status?.phase, 'Failed');
    // The limit reached the container's memory cgroup (v1): pod<uid>/<container id> under the kubelet's cgroup root.
    const containerId = (s?.containerID ?? '').replace(/^[^:]+:\/\//, '');
    const limit = await readFile(join('/sys/fs/cgroup/memory', fixture.cgroupRoot, `pod${pod.metadata.uid}`, containerId, 'memory.limit_in_bytes'), 'utf8');
    assert.equal(limit.trim(), String(16 * 1024 * 1024));
    await kubectlOk(env, ['delete', 'pod', 'oom', '--wait=true'], { timeoutMs: 60_000 });
    assert.deepEqual(await eventually('cleanup', async () => {
      const left = await leftovers(pod.metadata.uid);
      return left.length === 0 ? left : undefined;
    }, 30_000).catch(async () => leftovers(pod.metadata.uid)), []);
  });

  test('restartPolicy Never: a pod whose container exits 0 Succeeds', async () => {
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'once', namespace: 'default' },
      spec: { nodeName, restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'k8ts.local/e2e/busybox:1', command: ['true'] }], containers: [{ name: 'main', image: 'k8ts.local/e2e/busybox:1', command: ['sh', '-c', 'echo done'] }] },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const pod = await eventually('Succeeded', async () => {
      const p = await getPod('once');
      return p.status?.phase === 'Succeeded' ? p : undefined;
    });
    assert.equal(pod.status?.containerStatuses?.[0]?.state.terminated?.exitCode, 0);
    assert.equal(await kubectlOk(env, ['logs', 'once', '--timestamps']).then((t) => t.replace(/^\S+ /, '')), 'done\n');
    await kubectlOk(env, ['delete', 'pod', 'once', '--wait=true'], { timeoutMs: 60_000 });
  });

  test('static pod from --pod-manifest-path: mirror pod Running, recreated when deleted, gone with the file', async () => {
    const file = join(manifestDir, 'static-web.yaml');
    await writeFile(file, ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: static-web', 'spec:', '  containers:',
      '  - name: main', '    image: k8ts.local/e2e/busybox:1', '    command: ["sleep", "3600"]', ''].join('\n'));
    const name = `static-web-${nodeName}`;
    const running = async (notUid?: string): Promise<PodJson | undefined> => {
      const r = await kubectl(env, ['get', 'pod', name, '-o', 'json']);
      const p = r.code === 0 ? JSON.parse(r.stdout) as PodJson : undefined;
      return p !== undefined && p.metadata.uid !== notUid && p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.containerID !== undefined ? p : undefined;
    };
    const mirror = await eventually('the mirror pod Running', () => running());
    const hash = mirror.metadata.annotations?.['kubernetes.io/config.hash'] ?? '';
    assert.match(hash, /^[0-9a-f]{32}$/);
    assert.equal(mirror.metadata.annotations?.['kubernetes.io/config.mirror'], hash);
    assert.equal(mirror.metadata.annotations?.['kubernetes.io/config.source'], 'file');
    assert.deepEqual(mirror.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.controller]), [['Node', nodeName, true]]);
    const containerId = mirror.status?.containerStatuses?.[0]?.containerID;
    // Deleting the mirror pod does not stop the static pod: the mirror comes back, same container.
    // Not `--wait=true`: kubectl's wait GETs the pod, then lists and watches it by name; a mirror
    // recreated between the two is waited on as if it were the old one, whose DELETED event came
    // before the watch began (CI saw that 60 s hang once).
    await kubectlOk(env, ['delete', 'pod', name, '--wait=false']);
    const again = await eventually('the mirror pod recreated', () => running(mirror.metadata.uid));
    assert.equal(again.status?.containerStatuses?.[0]?.containerID, containerId);
    assert.equal(again.status?.containerStatuses?.[0]?.restartCount, 0);
    // Editing the file restarts the pod with the new spec under a new hash.
    await writeFile(file, (await readFile(file, 'utf8')).replace('"3600"', '"3601"'));
    const edited = await eventually('the edited static pod Running', async () => {
      const p = await running(again.metadata.uid);
      return p !== undefined && p.metadata.annotations?.['kubernetes.io/config.hash'] !== hash ? p : undefined;
    });
    const newHash = edited.metadata.annotations?.['kubernetes.io/config.mirror'] ?? '';
    assert.equal(newHash, edited.metadata.annotations?.['kubernetes.io/config.hash']);
    assert.notEqual(edited.status?.containerStatuses?.[0]?.containerID, containerId);
    // Removing the file stops the pod and deletes its mirror.
    await rm(file);
    await eventually('the mirror pod gone', async () => ((await kubectl(env, ['get', 'pod', name, '-o', 'json'])).code !== 0 ? true : undefined));
    assert.deepEqual(await eventually('cleanup', async () => {
      // leftovers() lists every container of the node, so this covers the pod before the edit too.
      const left = [...await leftovers(hash), ...await leftovers(newHash)];
      return left.length === 0 ? left : undefined;
    }, 30_000).catch(async () => [...await leftovers(hash), ...await leftovers(newHash)]), []);
    // A mirror pod no file backs (say, left while the kubelet was down) is deleted, never run.
    const orphan = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan-mirror', annotations: { 'kubernetes.io/config.mirror': 'f'.repeat(32) } },
      spec: { nodeName, containers: [{ name: 'main', image: 'k8ts.local/e2e/busybox:1', command: ['sleep', '3600'] }] } };
    await kubectlOk(env, ['create', '-f', '-'], { stdin: JSON.stringify(orphan) });
    await eventually('the orphaned mirror pod deleted', async () => ((await kubectl(env, ['get', 'pod', 'orphan-mirror'])).code !== 0 ? true : undefined));
    assert.deepEqual(await leftovers('f'.repeat(32)), [], 'nothing was started for it');
  });
});
