/**
 * Container lifecycle hooks (postStart, preStop) with upstream's handlers: exec in the
 * container, an HTTP GET against the pod IP (only transport errors fail it, as upstream), or a
 * sleep. A failure returns upstream's message, which the caller records as the
 * FailedPostStartHook / FailedPreStopHook event.
 */
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ContainerRuntime } from '../runtime/types.ts';
import { resolvePort } from '../probes/prober.ts';
import { podDesc } from './events.ts';
import type { ContainerSpec, Handler, Pod } from './types.ts';

/** Where and how long a hook runs. */
export interface HookContext {
  readonly runtime: ContainerRuntime;
  readonly pod: Pod;
  readonly container: ContainerSpec;
  readonly containerId: string;
  readonly podIp: string;
  /** Give up after this many seconds (the grace period for preStop). */
  readonly timeoutSeconds: number;
}

function httpGet(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fn = url.protocol === 'https:' ? httpsRequest : request;
    const req = fn(url, { timeout: timeoutMs, rejectUnauthorized: false, headers: { 'User-Agent': 'kube-lifecycle/1.35', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
      res.on('error', () => resolve());
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`Get "${url.href}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)));
    req.end();
  });
}

/** Runs a hook handler; resolves with undefined on success or upstream's failure message. */
export async function runHook(handler: Handler, ctx: HookContext): Promise<string | undefined> {
  const { pod, container } = ctx;
  const timeout = Math.max(1, ctx.timeoutSeconds);
  if (handler.exec !== undefined) {
    const cmd = handler.exec.command ?? [];
    try {
      const r = await ctx.runtime.execSync(ctx.containerId, cmd, timeout);
      if (r.exitCode === 0) {
        return undefined;
      }
      const output = r.stdout + r.stderr;
      return `Exec lifecycle hook ([${cmd.join(' ')}]) for Container "${container.name}" in Pod "${podDesc(pod)}" failed - error: command '${cmd.join(' ')}' exited with ${r.exitCode}: ${r.stderr}, message: ${JSON.stringify(output)}`;
    } catch (e) {
      return `Exec lifecycle hook ([${cmd.join(' ')}]) for Container "${container.name}" in Pod "${podDesc(pod)}" failed - error: ${(e as Error).message}, message: ""`;
    }
  }
  if (handler.httpGet !== undefined) {
    const h = handler.httpGet;
    const path = h.path ?? '';
    const port = resolvePort(h.port, container);
    if (port === undefined) {
      return `HTTP lifecycle hook (${path}) for Container "${container.name}" in Pod "${podDesc(pod)}" failed - error: invalid port: ${String(h.port)}`;
    }
    const url = new URL(`${(h.scheme ?? 'HTTP').toLowerCase()}://${h.host ?? ctx.podIp}:${port}${path.startsWith('/') ? path : `/${path}`}`);
    try {
      await httpGet(url, Object.fromEntries((h.httpHeaders ?? []).map((x) => [x.name, x.value])), timeout * 1000);
      return undefined;
    } catch (e) {
      return `HTTP lifecycle hook (${path}) for Container "${container.name}" in Pod "${podDesc(pod)}" failed - error: ${(e as Error).message}`;
    }
  }
  if (handler.sleep !== undefined) {
    await new Promise((r) => setTimeout(r, Math.min(handler.sleep?.seconds ?? 0, timeout) * 1000));
    return undefined;
  }
  return `Cannot run handler: invalid handler: ${JSON.stringify(handler)}`;
}
