/**
 * k8ts kubectl vs real kubectl 1.35, side by side in one run (BENCHMARKS.md, "kubectl"):
 *  1. start-up: `version --client` (no server);
 *  2. warm `get pods` with 100 pods (discovery cache warm: one request);
 *  3. `apply -f` of a 20-object manifest (first run creates, later runs are no-op applies).
 * Runs alternate between the binaries; the median of --runs is reported with the load average, for
 * wall time and for CPU time (the child's task-clock from `perf stat`, else user+sys from /usr/bin/time:
 * on a shared, loaded machine CPU time is the fair comparison). `--baseline DIR` adds a third column: another checkout's bin/k8ts
 * (e.g. `git archive` of an older commit with node_modules linked), measured in the same run.
 * Two references run interleaved with the cases they belong to: `node -e 0` (Node's own start-up,
 * next to `version --client`) and bench/kubectl-floor.ts (the least a Node program does for the same
 * `get pods` output, next to `get pods`), both with the compile cache bin/k8ts uses.
 * Usage: node bench/kubectl.ts [--runs 10] [--pods 100] [--objects 20] [--baseline DIR] [--cases version,get,apply]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startApiServer } from '../test/util/apiserver.ts';
import { kubectlPath } from '../test/util/kubectl.ts';
import { k8tsPath } from '../test/util/kubectl-compare.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    pods: { type: 'string', default: '100' },
    objects: { type: 'string', default: '20' },
    baseline: { type: 'string' },
    cases: { type: 'string', default: 'version,get,apply' },
  },
});
const runs = Number(values.runs);
const timeBin = '/usr/bin/time';
const haveTime = existsSync(timeBin);
// perf's task-clock (CPU time of all the child's threads, microsecond resolution) when perf works here;
// /usr/bin/time's user+sys only has 10 ms steps, the size of the differences this bench is after.
const perfBin = '/usr/bin/perf';
const havePerf = existsSync(perfBin) && spawnSync(perfBin, ['stat', '-x', ',', '-e', 'task-clock', 'true'], { stdio: 'ignore' }).status === 0;

interface Timed {
  readonly ms: number;
  /** CPU milliseconds of the child: perf task-clock, else user+sys from /usr/bin/time (NaN without either). */
  readonly cpuMs: number;
  readonly code: number;
  readonly stderr: string;
}

function timed(bin: string, args: readonly string[], env: NodeJS.ProcessEnv, cpuFile: string): Timed {
  const start = performance.now();
  // perf and /usr/bin/time write their numbers to their own file (-o), so the child's stderr stays clean.
  const r = havePerf
    ? spawnSync(perfBin, ['stat', '-x', ',', '-e', 'task-clock', '-o', cpuFile, bin, ...args], { env, encoding: 'utf8' })
    : haveTime
      ? spawnSync(timeBin, ['-f', '%U %S', '-o', cpuFile, bin, ...args], { env, encoding: 'utf8' })
      : spawnSync(bin, args, { env, encoding: 'utf8' });
  const ms = performance.now() - start;
  let cpuMs = Number.NaN;
  if (havePerf) {
    // CSV: `<msec>,msec,task-clock,...`
    const line = readFileSync(cpuFile, 'utf8').split('\n').find((l) => l.includes('task-clock'));
    cpuMs = Number(line?.split(',')[0]);
  } else if (haveTime) {
    const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [];
    cpuMs = (user + sys) * 1000;
  }
  return { ms, cpuMs, code: r.status ?? 1, stderr: r.stderr };
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
  const cpuFile = join(dir, 'rusage');
  const setup = timed(kubectlPath, ['create', '-f', join(dir, 'pods.yaml')], env, cpuFile);
  if (setup.code !== 0) {
    throw new Error(`creating pods: ${setup.stderr}`);
  }
  const nodeArgs = ['--disable-warning=ExperimentalWarning'];
  const refEnv = { ...env, NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache') };
  const floor = new URL('kubectl-floor.ts', import.meta.url).pathname;
  const wanted = new Set(values.cases.split(','));
  interface Case {
    readonly key: string;
    readonly name: string;
    readonly args: string[];
    readonly refs?: [string, string[]][];
  }
  const allCases: Case[] = [
    { key: 'version', name: 'version --client (start-up)', args: ['version', '--client'], refs: [['node -e 0 (Node start-up)', ['-e', '0']]] },
    { key: 'get', name: `get pods (${values.pods} pods, warm cache)`, args: ['get', 'pods'], refs: [['bench/kubectl-floor.ts (same GET + table)', [...nodeArgs, floor]]] },
    { key: 'apply', name: `apply -f (${values.objects} objects)`, args: ['apply', '-f', join(dir, 'objects.yaml')] },
  ];
  const cases = allCases.filter((c) => wanted.has(c.key));
  const tools: [string, string, string[]][] = [
    ['kubectl 1.35', kubectlPath, []],
    ['k8ts kubectl', k8tsPath, ['kubectl']],
  ];
  if (values.baseline !== undefined) {
    tools.push(['baseline k8ts', join(values.baseline, 'bin/k8ts'), ['kubectl']]);
  }
  // Warm both discovery caches (and Node's compile cache) before measuring.
  for (const [, bin, pre] of tools) {
    timed(bin, [...pre, 'get', 'pods'], env, cpuFile);
    timed(bin, [...pre, 'version', '--client'], env, cpuFile);
  }
  timed(process.execPath, [...nodeArgs, floor], refEnv, cpuFile);
  const references: string[] = [];
  const names = tools.slice(1).map(([label]) => label);
  console.log(`| command | kubectl 1.35 wall / CPU (median ms) | ${names.map((n) => `${n} wall / CPU (median ms)`).join(' | ')} | ${names.map((n) => `${n} ratio wall / CPU`).join(' | ')} | load avg |`);
  console.log(`|---|---|${names.map(() => '---|---|').join('')}---|`);
  for (const c of cases) {
    const wall: number[][] = tools.map(() => []);
    const cpu: number[][] = tools.map(() => []);
    const refs = c.refs ?? [];
    const refWall: number[][] = refs.map(() => []);
    const refCpu: number[][] = refs.map(() => []);
    let failure = '';
    for (let i = 0; i < runs; i++) {
      tools.forEach(([label, bin, pre], t) => {
        const r = timed(bin, [...pre, ...c.args], env, cpuFile);
        if (r.code !== 0) {
          failure = `${label}: ${r.stderr.trim().split('\n')[0]}`;
        }
        wall[t].push(r.ms);
        cpu[t].push(r.cpuMs);
      });
      refs.forEach(([label, args], t) => {
        const r = timed(process.execPath, args, refEnv, cpuFile);
        if (r.code !== 0) {
          failure = `${label}: ${r.stderr.trim().split('\n')[0]}`;
        }
        refWall[t].push(r.ms);
        refCpu[t].push(r.cpuMs);
      });
    }
    const w = wall.map(median);
    const u = cpu.map(median);
    const cells = tools.map((_, t) => `${w[t].toFixed(0)} / ${u[t].toFixed(0)}`);
    const ratios = tools.slice(1).map((_, i) => `${(w[i + 1] / w[0]).toFixed(2)} / ${(u[i + 1] / u[0]).toFixed(2)}`);
    console.log(`| ${c.name} | ${cells.join(' | ')} | ${ratios.join(' | ')} | ${loadavg()[0].toFixed(1)} |${failure === '' ? '' : ` failed: ${failure}`}`);
    refs.forEach(([label], t) => {
      const rw = median(refWall[t]);
      const rc = median(refCpu[t]);
      references.push(`| ${label} | ${c.name} | ${rw.toFixed(0)} / ${rc.toFixed(0)} | ${(rw / w[0]).toFixed(2)} / ${(rc / u[0]).toFixed(2)} |`);
    });
  }
  console.log('\n| reference | measured alongside | wall / CPU (median ms) | ratio to kubectl 1.35 wall / CPU |\n|---|---|---|---|');
  console.log(references.join('\n'));
  console.log(`\nCPU: ${havePerf ? 'perf stat task-clock' : haveTime ? '/usr/bin/time user+sys' : 'not measured'}; ${runs} runs per binary, alternating.`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await server.stop();
}
