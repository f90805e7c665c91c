/**
 * The seed's demo, end to end: one pod with an nginx container (built from Debian packages, no
 * registry) and an app container sharing the pod's network namespace; nginx proxies
 * localhost:80/app/ to the app's loopback-only port and serves an emptyDir the app writes into;
 * reached from the node on the pod IP and through the real `kubectl port-forward`.
 * The nginx image is built once and kept under $K8TS_IMAGE_CACHE (default
 * /var/cache/k8ts/e2e-images) so re-runs do not download again; skipped when apt has no nginx-light.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BuiltImage } from '../../src/kubelet/testing/build-image.ts';
import { buildNginxImage } from '../../src/kubelet/testing/build-nginx.ts';
import { canRunPods, eventually, httpGet, startKubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import type { KubeletFixture, KubeletTestbed } from '../../src/kubelet/testing/kubelet-fixture.ts';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectlOk, kubectlPath } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';

const BUSYBOX = 'k8ts.local/e2e/busybox:1';
const NGINX = 'k8ts.local/e2e/nginx:1';
const cacheDir = join(process.env.K8TS_IMAGE_CACHE ?? '/var/cache/k8ts/e2e-images', 'nginx-light');
const aptHasNginx = spawnSync('apt-cache', ['policy', 'nginx-light'], { encoding: 'utf8' }).stdout?.includes('Candidate: ') === true
  && !spawnSync('apt-cache', ['policy', 'nginx-light'], { encoding: 'utf8' }).stdout.includes('Candidate: (none)');

/** The cached nginx image, built on first use. */
async function nginxImage(): Promise<BuiltImage> {
  const meta = join(cacheDir, 'image.json');
  if (existsSync(meta)) {
    const cached = JSON.parse(await readFile(meta, 'utf8')) as BuiltImage;
    if (cached.ref === NGINX && existsSync(cached.archivePath)) {
      return cached;
    }
  }
  await mkdir(cacheDir, { recursive: true });
  const built = await buildNginxImage({ outDir: cacheDir, ref: NGINX });
  await writeFile(meta, JSON.stringify(built));
  return built;
}

const SITE = `server {
  listen 80 default_server;
  location /app/ { proxy_pass http://127.0.0.1:8080/; }
  location /shared/ { alias /usr/share/demo/; }
}
`;

describe('the demo: nginx + app in one pod, pod IP and kubectl port-forward', { skip: (!canRunPods && 'needs root, runc, conmon, catatonit and CNI plugins') || (!aptHasNginx && 'apt has no nginx-light candidate') }, () => {
  let bed: KubeletTestbed<TestApiServer>;
  let env: ClientEnv;
  let kubelet: KubeletFixture;

  before(async () => {
    const nginx = await nginxImage();
    bed = await startKubeletTestbed('demo', BUSYBOX, () => startApiServer(), [nginx.archivePath]);
    env = clientEnv(bed.api.kubeconfig);
    kubelet = bed.kubelet;
  });

  after(async () => {
    env?.cleanup();
    await bed?.stop();
  });

  test('nginx proxies localhost to the app and serves the shared emptyDir; reached on the pod IP and through port-forward', async () => {
    await kubectlOk(env, ['create', 'configmap', 'demo-site', `--from-literal=default=${SITE}`]);
    const manifest = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'demo', namespace: 'default' },
      spec: {
        nodeName: kubelet.nodeName, terminationGracePeriodSeconds: 2,
        volumes: [{ name: 'shared', emptyDir: {} }, { name: 'site', configMap: { name: 'demo-site' } }],
        containers: [
          { name: 'nginx', image: NGINX, imagePullPolicy: 'Never', ports: [{ containerPort: 80 }], volumeMounts: [{ name: 'shared', mountPath: '/usr/share/demo' }, { name: 'site', mountPath: '/etc/nginx/sites-enabled' }] },
          {
            name: 'app', image: BUSYBOX, imagePullPolicy: 'Never', volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
            command: ['sh', '-c', 'mkdir -p /www; echo "hello from the app" > /www/index.html; echo "written by the app" > /shared/note.txt; exec httpd -f -p 127.0.0.1:8080 -h /www'],
          },
        ],
      },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const podIp = await eventually('the demo pod to be Ready', async () => {
      const p = JSON.parse(await kubectlOk(env, ['get', 'pod', 'demo', '-o', 'json'])) as { status?: { podIP?: string; conditions?: { type: string; status: string }[] } };
      return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true ? p.status.podIP : undefined;
    }, 120_000);
    const viaPodIp = await eventually('nginx on the pod IP', async () => {
      const r = await httpGet(`http://${podIp ?? ''}/app/index.html`);
      return r.status === 200 ? r.body : undefined;
    }, 30_000);
    assert.equal(viaPodIp, 'hello from the app\n');
    assert.equal((await httpGet(`http://${podIp ?? ''}/shared/note.txt`)).body, 'written by the app\n');
    const pf = spawn(kubectlPath, ['port-forward', 'pod/demo', ':80'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: env.home, KUBECONFIG: env.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      pf.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const port = await eventually('kubectl port-forward to listen', async () => {
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
        return m === null ? undefined : Number(m[1]);
      }, 30_000);
      assert.equal((await httpGet(`http://127.0.0.1:${port}/app/index.html`)).body, 'hello from the app\n');
      assert.equal((await httpGet(`http://127.0.0.1:${port}/shared/note.txt`)).body, 'written by the app\n');
    } finally {
      pf.kill('SIGKILL');
    }
    await kubectlOk(env, ['delete', 'pod', 'demo', '--wait=true'], { timeoutMs: 60_000 });
  });
});
