/**
 * k8ts kubectl vs real kubectl 1.35, side by side in one run (BENCHMARKS.md, "kubectl"):
 *  1. start-up: `version --client` (no server);
 *  2. warm `get pods` with 100 pods (discovery cache warm: one request);
 *  3. `apply -f` of a 20-object manifest (first run creates, later runs are no-op applies).
 * Runs alternate between the two binaries; the median of --runs is reported with the load average.
 * Usage: node bench/kubectl.ts [--runs 10] [--pods 100] [--objects 20]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startApiServer } from '../test/util/apiserver.ts';
import { kubectlPath } from '../test/util/kubectl.ts';
import { k8tsPath } from '../test/util/kubectl-compare.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, pods: { type: 'string', default: '100' }, objects: { type: 'string', default: '20' } } });
const runs = Number(values.runs);

function timed(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): { ms: number; code: number; stderr: string } {
  const start = performance.now();
  const r = spawnSync(bin, args, { env, encoding: 'utf8' });
  return { ms: performance.now() - start, code: r.status ?? 1, stderr: r.stderr };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function manifest(kind: 'pods' | 'objects', n: number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(
      kind === 'pods'
        ? `apiVersion: v1\nkind: Pod\nmetadata: {name: p-${i}, labels: {app: bench}}\nspec: {containers: [{name: c, image: nginx}]}`
        : `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${i}}\ndata: {k: v${i}}`,
    );
  }
  return `${docs.join('\n---\n')}\n`;
}

const server = await startApiServer();
const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-kubectl-'));
try {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: server.kubeconfig };
  writeFileSync(join(dir, 'pods.yaml'), manifest('pods', Number(values.pods)));
  writeFileSync(join(dir, 'objects.yaml'), manifest('objects', Number(values.objects)));
  const setup = timed(kubectlPath, ['create', '-f', join(dir, 'pods.yaml')], env);
  if (setup.code !== 0) {
    throw new Error(`creating pods: ${setup.stderr}`);
  }
  const cases: { name: string; args: string[] }[] = [
    { name: 'version --client (start-up)', args: ['version', '--client'] },
    { name: `get pods (${values.pods} pods, warm cache)`, args: ['get', 'pods'] },
    { name: `apply -f (${values.objects} objects)`, args: ['apply', '-f', join(dir, 'objects.yaml')] },
  ];
  const tools: [string, string, string[]][] = [
    ['kubectl 1.35', kubectlPath, []],
    ['k8ts kubectl', k8tsPath, ['kubectl']],
  ];
  // Warm both discovery caches (and Node's compile cache) before measuring.
  for (const [, bin, pre] of tools) {
    timed(bin, [...pre, 'get', 'pods'], env);
  }
  console.log(`| command | kubectl 1.35 (median ms) | k8ts kubectl (median ms) | ratio | load avg |`);
  console.log(`|---|---|---|---|---|`);
  for (const c of cases) {
    const times: number[][] = [[], []];
    let failure = '';
    for (let i = 0; i < runs; i++) {
      tools.forEach(([label, bin, pre], t) => {
        const r = timed(bin, [...pre, ...c.args], env);
        if (r.code !== 0) {
          failure = `${label}: ${r.stderr.trim().split('\n')[0]}`;
        }
        times[t].push(r.ms);
      });
    }
    const [a, b] = times.map(median);
    console.log(`| ${c.name} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(2)} | ${loadavg()[0].toFixed(1)} |${failure === '' ? '' : ` failed: ${failure}`}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await server.stop();
}
