/**
 * /healthz, /livez, /readyz (upstream's text format, `?verbose`, `?exclude=`, per-check
 * paths) and /version.
 */

/** One named health check; it passes unless it throws or rejects. */
export interface HealthCheck {
  readonly name: string;
  check(): void | Promise<void>;
}

/** Outcome of a health endpoint: status code and text body. */
export interface HealthAnswer {
  readonly code: number;
  readonly body: string;
}

const ping: HealthCheck = { name: 'ping', check: () => undefined };

async function passes(c: HealthCheck): Promise<string | undefined> {
  try {
    await c.check();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Runs the checks for `/<endpoint>[/<check>]` with upstream's output. */
export async function runHealth(endpoint: string, only: string | undefined, checks: readonly HealthCheck[], query: URLSearchParams): Promise<HealthAnswer> {
  const all = [ping, ...checks.filter((c) => c.name !== 'ping')];
  if (only !== undefined) {
    const c = all.find((x) => x.name === only);
    if (c === undefined) {
      return { code: 404, body: '404 page not found\n' };
    }
    const err = await passes(c);
    return err === undefined ? { code: 200, body: 'ok' } : { code: 500, body: `internal server error: ${err}\n` };
  }
  const excluded = new Set(query.getAll('exclude').flatMap((e) => e.split(',')).filter((e) => e !== ''));
  const lines: string[] = [];
  let failed = false;
  for (const c of all) {
    if (excluded.has(c.name)) {
      lines.push(`[+]${c.name} excluded: ok`);
      continue;
    }
    const err = await passes(c);
    if (err === undefined) {
      lines.push(`[+]${c.name} ok`);
    } else {
      failed = true;
      lines.push(`[-]${c.name} failed: reason withheld`);
    }
  }
  for (const name of excluded) {
    if (!all.some((c) => c.name === name)) {
      lines.push(`warn: some health checks cannot be excluded: no matches for "${name}"`);
    }
  }
  if (failed) {
    return { code: 500, body: `${lines.join('\n')}\n${endpoint} check failed\n` };
  }
  const verbose = query.has('verbose');
  return { code: 200, body: verbose ? `${lines.join('\n')}\n${endpoint} check passed\n` : 'ok' };
}

/** `/version`, upstream's version.Info shape. */
export interface VersionInfo {
  readonly major: string;
  readonly minor: string;
  readonly emulationMajor?: string;
  readonly emulationMinor?: string;
  readonly minCompatibilityMajor?: string;
  readonly minCompatibilityMinor?: string;
  readonly gitVersion: string;
  readonly gitCommit: string;
  readonly gitTreeState: string;
  readonly buildDate: string;
  readonly goVersion: string;
  readonly compiler: string;
  readonly platform: string;
}

/** The version k8ts reports: Kubernetes 1.35, with `k8ts` as build metadata. */
export function defaultVersionInfo(): VersionInfo {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return {
    major: '1',
    minor: '35',
    emulationMajor: '1',
    emulationMinor: '35',
    minCompatibilityMajor: '1',
    minCompatibilityMinor: '34',
    gitVersion: 'v1.35.0-k8ts',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'gc',
    platform: `${process.platform}/${arch}`,
  };
}
