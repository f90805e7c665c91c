/**
 * The KubectlContext a verb runs with: kubeconfig chain and overrides resolved on first use
 * (so `kubectl version --client` and `config` never read credentials), one RestClient per
 * run, discovery served from the on-disk cache.
 */
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { RestClient } from '../client/rest.ts';
import type { ClientConnection } from '../kubeconfig/index.ts';
import type { Discovery, FlagValues, KubectlContext } from './command.ts';
import { arrayFlag, stringFlag } from './cli/flags.ts';
import { connectionFor, loadKubeconfigChain, requestTimeoutMs, selectContext } from './config/clientcmd.ts';
import type { LoadedKubeconfig, SelectedContext } from './config/clientcmd.ts';

/** The version string our kubectl reports as its client version (and in its user agent). */
export const KUBECTL_VERSION = 'v1.35.0-k8ts';

/** What the dispatcher knows when it builds a context. */
export interface ContextInit {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  readonly env: NodeJS.ProcessEnv;
  readonly globals: FlagValues;
  readonly changed?: ReadonlySet<string>;
  readonly dashAt?: number;
  readonly commandPath?: string;
}

/** KubectlContext plus the pieces the config verbs and the dispatcher need. */
export interface FullKubectlContext extends KubectlContext {
  /** The merged kubeconfig chain (read once). */
  kubeconfig(): LoadedKubeconfig;
  /** The selected context with overrides applied (no files read yet). */
  selected(): SelectedContext;
  /** `host:port` of the server, once a connection was resolved (for connection-refused messages). */
  serverHost(): string | undefined;
  /** `--cache-dir`, else `~/.kube/cache`. */
  cacheDir(): string;
  /** Closes the client's sockets so the process can exit. */
  close(): void;
}

function impersonationHeaders(globals: FlagValues): Record<string, string | string[]> {
  const h: Record<string, string | string[]> = {};
  const as = stringFlag(globals, 'as');
  if (as !== '') {
    h['impersonate-user'] = as;
  }
  const groups = arrayFlag(globals, 'as-group');
  if (groups.length > 0) {
    h['impersonate-group'] = [...groups];
  }
  const uid = stringFlag(globals, 'as-uid');
  if (uid !== '') {
    h['impersonate-uid'] = uid;
  }
  for (const kv of arrayFlag(globals, 'as-user-extra')) {
    const i = kv.indexOf('=');
    if (i > 0) {
      const key = `impersonate-extra-${encodeURIComponent(kv.slice(0, i))}`;
      const prev = h[key];
      h[key] = [...(Array.isArray(prev) ? prev : []), kv.slice(i + 1)];
    }
  }
  return h;
}

/** Builds the context for one kubectl invocation. */
export function createContext(init: ContextInit): FullKubectlContext {
  let loaded: LoadedKubeconfig | undefined;
  let sel: SelectedContext | undefined;
  let conn: Promise<ClientConnection> | undefined;
  let client: Promise<RestClient> | undefined;
  let discovery: Promise<Discovery> | undefined;
  let host: string | undefined;
  let made: RestClient | undefined;
  const globals = init.globals;

  const ctx: FullKubectlContext = {
    stdout: init.stdout,
    stderr: init.stderr,
    get stdin() {
      return init.stdin;
    },
    env: init.env,
    globals,
    changed: init.changed,
    dashAt: init.dashAt,
    commandPath: init.commandPath,
    kubeconfig() {
      loaded ??= loadKubeconfigChain(stringFlag(globals, 'kubeconfig'), init.env);
      return loaded;
    },
    selected() {
      sel ??= selectContext(ctx.kubeconfig().config, globals);
      return sel;
    },
    async namespace() {
      const s = ctx.selected();
      return { namespace: s.namespace, explicit: s.namespaceExplicit };
    },
    connection() {
      conn ??= (async () => {
        const c = await connectionFor(ctx.selected(), init.env);
        const u = new URL(c.server);
        host = u.host;
        return c;
      })();
      return conn;
    },
    client() {
      client ??= (async () => {
        const timeoutMs = requestTimeoutMs(stringFlag(globals, 'request-timeout'));
        const connection = await ctx.connection();
        const { RestClient } = await import('../client/rest.ts');
        made = new RestClient({
          connection,
          userAgent: `kubectl/${KUBECTL_VERSION} (${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}) kubernetes/k8ts`,
          // kubectl's client: QPS 50 / burst 300; it does not retry refused connections.
          qps: 50,
          burst: 300,
          maxRetries: 0,
          timeoutMs,
          // kubectl 1.35 names the command and the invocation on every request (server-side audit/metrics).
          // node:crypto through getBuiltinModule: its ESM facade would also load WebCrypto.
          headers: { ...impersonationHeaders(globals), 'kubectl-command': `kubectl ${init.commandPath ?? ''}`.trim(), 'kubectl-session': process.getBuiltinModule('node:crypto').randomUUID() },
          logger: () => undefined,
        });
        return made;
      })();
      return client;
    },
    discovery() {
      discovery ??= (async () => {
        const { createDiscovery } = await import('./discovery/index.ts');
        return createDiscovery(await ctx.client(), ctx.cacheDir());
      })();
      return discovery;
    },
    serverHost: () => host,
    cacheDir() {
      const flag = stringFlag(globals, 'cache-dir');
      // node:os only without $HOME (it is not otherwise loaded on a kubectl run).
      return flag !== '' ? flag : join(init.env.HOME ?? process.getBuiltinModule('node:os').homedir(), '.kube', 'cache');
    },
    close() {
      made?.close();
    },
  };
  return ctx;
}
