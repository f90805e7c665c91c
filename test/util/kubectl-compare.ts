/**
 * Runs the same command with real kubectl 1.35 and with `k8ts kubectl` (same HOME, KUBECONFIG,
 * stdin, cwd; one after the other, never concurrently) and compares stdout, stderr and exit code
 * after normalising what legitimately differs between two runs: ages, uids, timestamps,
 * resourceVersions, and the client version line of `kubectl version`.
 */
import { join } from 'node:path';
import { kubectl, runTool } from './kubectl.ts';
import type { ClientEnv, RunResult } from './kubectl.ts';

const root = new URL('../..', import.meta.url).pathname;
/** The k8ts multicall binary. */
export const k8tsPath = join(root, 'bin/k8ts');

/** Options for one comparison. */
export interface CompareOptions {
  readonly stdin?: string;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Runs after the real kubectl and before ours (undo what the first run changed, e.g. delete a created object). */
  readonly between?: () => Promise<void>;
  /** Extra normalisation applied to both sides after the standard one. */
  readonly normalize?: (text: string) => string;
}

/** Both runs, raw and normalised, and whether they agree. */
export interface CompareResult {
  readonly real: RunResult;
  readonly ours: RunResult;
  readonly realNormalized: RunResult;
  readonly oursNormalized: RunResult;
  readonly equal: boolean;
  /** A readable line diff of whatever differs ('' when equal). */
  readonly diff: string;
}

/** `k8ts kubectl <args>` with the client environment; never rejects. */
export function oursKubectl(env: ClientEnv, args: readonly string[], opts: { stdin?: string; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return runTool(k8tsPath, env, ['kubectl', ...args], opts);
}

const AGE = /(?<![\w.:-])(?:\d+[smhdy]){1,2}(?![\w.:-])/g;

/** The standard normalisation: ages → `<age>` (with the padding after them collapsed), uids, timestamps, resourceVersions, client version. */
export function normalizeKubectlText(text: string): string {
  return (
    text
      .replace(/^Client Version: .*$/gm, 'Client Version: <client-version>')
      .replace(/"gitVersion": "v1\.35\.[^"]*"/, '"gitVersion": "<client-version>"')
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uid>')
      .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, '<timestamp>')
      .replace(/("?resourceVersion"?:\s*)"\d+"/g, '$1"<rv>"')
      .replace(/(resourceVersion=)\d+/g, '$1<rv>')
      .replace(AGE, '<age>')
      // A column holding ages is as wide as its widest age, which differs between two runs.
      .replace(/(<age>|AGE|LAST SEEN) {2,}(?=\S)/g, '$1   ')
  );
}

function normalized(r: RunResult, extra: ((t: string) => string) | undefined): RunResult {
  const f = (t: string): string => (extra === undefined ? normalizeKubectlText(t) : extra(normalizeKubectlText(t)));
  return { code: r.code, stdout: f(r.stdout), stderr: f(r.stderr) };
}

/** A minimal line diff: lines only in `a` as `- `, only in `b` as `+ ` (by longest common subsequence). */
export function lineDiff(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      out.push(`  ${x[i]}`);
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out.push(`+ ${y[j++]}`);
    } else {
      out.push(`- ${x[i++]}`);
    }
  }
  return out.join('\n');
}

/** Runs real kubectl, then ours, with the same arguments and environment, and compares them. */
export async function compareKubectl(env: ClientEnv, args: readonly string[], opts: CompareOptions = {}): Promise<CompareResult> {
  const runOpts = { stdin: opts.stdin, cwd: opts.cwd, timeoutMs: opts.timeoutMs };
  const real = await kubectl(env, args, runOpts);
  await opts.between?.();
  const ours = await oursKubectl(env, args, runOpts);
  const realNormalized = normalized(real, opts.normalize);
  const oursNormalized = normalized(ours, opts.normalize);
  const parts: string[] = [];
  if (realNormalized.code !== oursNormalized.code) {
    parts.push(`exit code: real ${real.code}, ours ${ours.code}`);
  }
  if (realNormalized.stdout !== oursNormalized.stdout) {
    parts.push(`stdout (- real, + ours):\n${lineDiff(realNormalized.stdout, oursNormalized.stdout)}`);
  }
  if (realNormalized.stderr !== oursNormalized.stderr) {
    parts.push(`stderr (- real, + ours):\n${lineDiff(realNormalized.stderr, oursNormalized.stderr)}`);
  }
  const diff = parts.length === 0 ? '' : `kubectl ${args.join(' ')}\n${parts.join('\n')}`;
  return { real, ours, realNormalized, oursNormalized, equal: parts.length === 0, diff };
}

/** compareKubectl that throws (with the diff) unless both agree; returns the result for further checks. */
export async function assertSameAsKubectl(env: ClientEnv, args: readonly string[], opts: CompareOptions = {}): Promise<CompareResult> {
  const r = await compareKubectl(env, args, opts);
  if (!r.equal) {
    throw new Error(r.diff);
  }
  return r;
}
