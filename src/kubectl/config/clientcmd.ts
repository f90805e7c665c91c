/**
 * clientcmd, reduced: the kubeconfig files with upstream's precedence — `--kubeconfig` (that file
 * only, must exist), else every file of `$KUBECONFIG` merged (first definition of a name wins, first
 * non-empty current-context wins, missing files skipped), else `~/.kube/config`; relative paths inside
 * a file made absolute against that file, as ResolveLocalPaths does — and the DirectClientConfig
 * they yield: the context (--context or current-context), its cluster and user (or --cluster/--user)
 * with the global overrides (--server, --token, --certificate-authority, --client-certificate/
 * --client-key, --insecure-skip-tls-verify, -n), credentials read into a ClientConnection.
 * Errors are worded as kubectl's. (One module: each ES module costs kubectl start-up time.)
 */
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type { ClientConnection } from '../../kubeconfig/index.ts';
import type * as KubeconfigFile from '../../kubeconfig/file.ts';
import { emptyKubeconfig, kubeconfigFromDocument } from '../../kubeconfig/types.ts';
import type { Kubeconfig, KubeconfigCluster, KubeconfigUser } from '../../kubeconfig/types.ts';
import { CliError, RawMessageError } from '../command.ts';
import type { FlagValues } from '../command.ts';
import { boolFlag, stringFlag } from '../cli/flags.ts';
import { parseSimpleYaml } from './simple-yaml.ts';

// node:fs without an ESM import: that facade reads fs.promises, which loads fs/promises and readline (start-up time).
const { readFileSync, statSync } = process.getBuiltinModule('node:fs');

/** The merged config plus where each named stanza came from (for the `config` writers). */
export interface LoadedKubeconfig {
  readonly config: Kubeconfig;
  /** The files in precedence order (the explicit one, the $KUBECONFIG list, or ~/.kube/config). */
  readonly files: readonly string[];
  /** True when --kubeconfig chose the file. */
  readonly explicit: boolean;
  /** File that defines each cluster/user/context name, and the current-context. */
  readonly origin: {
    readonly clusters: ReadonlyMap<string, string>;
    readonly users: ReadonlyMap<string, string>;
    readonly contexts: ReadonlyMap<string, string>;
    readonly currentContext: string | undefined;
  };
}

/** The files kubectl would read, in precedence order, and whether --kubeconfig chose them. */
export function kubeconfigFiles(explicitPath: string, env: NodeJS.ProcessEnv): { files: string[]; explicit: boolean } {
  if (explicitPath !== '') {
    return { files: [explicitPath], explicit: true };
  }
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  if (list.length > 0) {
    // Duplicates are read once (clientcmd deduplicates the precedence list).
    return { files: [...new Set(list)], explicit: false };
  }
  // node:os only without $HOME: its module is otherwise not loaded on a kubectl run.
  return { files: [join(env.HOME ?? process.getBuiltinModule('node:os').homedir(), '.kube', 'config')], explicit: false };
}

const pathFields = {
  cluster: ['certificate-authority'],
  user: ['client-certificate', 'client-key', 'tokenFile'],
} as const;

function absolutize(cfg: Kubeconfig, file: string): void {
  const base = dirname(resolve(file));
  const fix = (o: Record<string, unknown>, keys: readonly string[]): void => {
    for (const k of keys) {
      const v = o[k];
      if (typeof v === 'string' && v !== '' && !isAbsolute(v)) {
        o[k] = resolve(base, v);
      }
    }
  };
  for (const c of cfg.clusters) {
    if (typeof c.cluster === 'object' && c.cluster !== null) {
      fix(c.cluster, pathFields.cluster);
    }
  }
  for (const u of cfg.users) {
    if (typeof u.user === 'object' && u.user !== null) {
      fix(u.user, pathFields.user);
      const exec = u.user.exec as Record<string, unknown> | undefined;
      // An exec plugin's command given as a relative path (with a slash) is relative to the file.
      if (exec !== undefined && typeof exec.command === 'string' && exec.command.includes('/') && !isAbsolute(exec.command)) {
        exec.command = resolve(base, exec.command);
      }
    }
  }
}

/**
 * kubeconfig text → Kubeconfig. Simple files (what kubectl, kubeadm and cloud CLIs write) skip
 * the YAML library, whose loading is a large share of a kubectl start; the normalisation is
 * kubeconfigFromDocument's, shared with parseKubeconfig (src/kubeconfig/file.ts), which reads every
 * other file synchronously on demand.
 */
function parseKubeconfigText(text: string): Kubeconfig {
  const doc = text.trim() === '' ? undefined : parseSimpleYaml(text);
  if (doc === undefined) {
    // Through getBuiltinModule: node:module's ESM facade would load the source-map module on every run.
    const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);
    const { parseKubeconfig } = require('../../kubeconfig/file.ts') as typeof KubeconfigFile;
    return parseKubeconfig(text);
  }
  return kubeconfigFromDocument(doc);
}

function readOne(file: string, mustExist: boolean): Kubeconfig | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !mustExist) {
      return undefined;
    }
    if (code === 'ENOENT') {
      throw new CliError(`stat ${file}: no such file or directory`);
    }
    throw new CliError(`error loading config file "${file}": ${(e as Error).message}`);
  }
  let cfg: Kubeconfig;
  try {
    cfg = parseKubeconfigText(text);
  } catch (e) {
    throw new CliError(`error loading config file "${file}": ${(e as Error).message}`);
  }
  absolutize(cfg, file);
  return cfg;
}

/** Loads and merges the kubeconfig files kubectl would use. Throws CliError as kubectl words it. */
export function loadKubeconfigChain(explicitPath: string, env: NodeJS.ProcessEnv): LoadedKubeconfig {
  const { files, explicit } = kubeconfigFiles(explicitPath, env);
  if (explicit) {
    try {
      statSync(files[0]);
    } catch {
      throw new CliError(`stat ${files[0]}: no such file or directory`);
    }
  }
  const merged = emptyKubeconfig();
  const clusters = new Map<string, string>();
  const users = new Map<string, string>();
  const contexts = new Map<string, string>();
  let currentContext: string | undefined;
  let preferencesSet = false;
  for (const file of files) {
    const cfg = readOne(file, explicit);
    if (cfg === undefined) {
      continue;
    }
    for (const c of cfg.clusters) {
      if (!clusters.has(c.name)) {
        clusters.set(c.name, file);
        merged.clusters.push(c);
      }
    }
    for (const u of cfg.users) {
      if (!users.has(u.name)) {
        users.set(u.name, file);
        merged.users.push(u);
      }
    }
    for (const c of cfg.contexts) {
      if (!contexts.has(c.name)) {
        contexts.set(c.name, file);
        merged.contexts.push(c);
      }
    }
    if (currentContext === undefined && cfg['current-context'] !== '') {
      currentContext = file;
      merged['current-context'] = cfg['current-context'];
    }
    if (!preferencesSet && cfg.preferences !== undefined && Object.keys(cfg.preferences).length > 0) {
      preferencesSet = true;
      merged.preferences = cfg.preferences;
    }
  }
  return { config: merged, files, explicit, origin: { clusters, users, contexts, currentContext } };
}

// The selected context and its connection (clientcmd's DirectClientConfig).


/** What the selected context resolves to, before credentials are read. */
export interface SelectedContext {
  readonly contextName: string;
  readonly clusterName: string;
  readonly userName: string;
  readonly cluster: KubeconfigCluster;
  readonly user: KubeconfigUser;
  /** The namespace: -n, else the context's, else `default`. */
  readonly namespace: string;
  /** Whether -n/--namespace was given. */
  readonly namespaceExplicit: boolean;
}

/** Applies --context/--cluster/--user and the cluster/user overrides to the merged config. */
export function selectContext(cfg: Kubeconfig, globals: FlagValues): SelectedContext {
  const contextName = stringFlag(globals, 'context') || cfg['current-context'];
  let ctx = cfg.contexts.find((c) => c.name === contextName)?.context;
  if (ctx === undefined && contextName !== '') {
    throw new RawMessageError(`Error in configuration: context was not found for specified context: ${contextName}`);
  }
  ctx ??= { cluster: '', user: '' };
  const clusterFlag = stringFlag(globals, 'cluster');
  const userFlag = stringFlag(globals, 'user');
  const clusterName = clusterFlag || (ctx.cluster ?? '');
  const userName = userFlag || (ctx.user ?? '');
  const foundCluster = cfg.clusters.find((c) => c.name === clusterName)?.cluster;
  const foundUser = cfg.users.find((u) => u.name === userName)?.user;
  if (userFlag !== '' && foundUser === undefined) {
    throw new CliError(`auth info "${userFlag}" does not exist`);
  }
  const cluster: KubeconfigCluster = { ...(foundCluster ?? { server: '' }) };
  const server = stringFlag(globals, 'server');
  if (server !== '') {
    cluster.server = server;
  }
  if (clusterFlag !== '' && foundCluster === undefined && server === '') {
    throw new CliError(`no server found for cluster "${clusterFlag}"`);
  }
  const ca = stringFlag(globals, 'certificate-authority');
  if (ca !== '') {
    cluster['certificate-authority'] = ca;
    delete cluster['certificate-authority-data'];
  }
  if (boolFlag(globals, 'insecure-skip-tls-verify')) {
    cluster['insecure-skip-tls-verify'] = true;
    // clientcmd drops the CA when TLS verification is switched off from the command line.
    delete cluster['certificate-authority'];
    delete cluster['certificate-authority-data'];
  }
  const tlsName = stringFlag(globals, 'tls-server-name');
  if (tlsName !== '') {
    cluster['tls-server-name'] = tlsName;
  }
  const user: KubeconfigUser = { ...(foundUser ?? {}) };
  const token = stringFlag(globals, 'token');
  if (token !== '') {
    user.token = token;
    delete user.tokenFile;
  }
  const cert = stringFlag(globals, 'client-certificate');
  if (cert !== '') {
    user['client-certificate'] = cert;
    delete user['client-certificate-data'];
  }
  const key = stringFlag(globals, 'client-key');
  if (key !== '') {
    user['client-key'] = key;
    delete user['client-key-data'];
  }
  const nsFlag = stringFlag(globals, 'namespace');
  return {
    contextName,
    clusterName,
    userName,
    cluster,
    user,
    namespace: nsFlag || (ctx.namespace ?? '') || 'default',
    namespaceExplicit: nsFlag !== '',
  };
}

// Credential files are read synchronously: a CLI has nothing to overlap with them, and node:fs/promises
// (with the readline modules it loads) would add to every start.
function readText(file: string): Promise<string> {
  return new Promise((resolve) => resolve(readFileSync(file, 'utf8')));
}

async function pem(data: unknown, file: unknown): Promise<string | undefined> {
  if (typeof data === 'string' && data !== '') {
    return Buffer.from(data, 'base64').toString('utf8');
  }
  if (typeof file === 'string' && file !== '') {
    try {
      return await readText(file);
    } catch (e) {
      throw new CliError(`open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
  }
  return undefined;
}

/** Reads the selected context's credentials (PEM files/data, token/tokenFile) into a connection. */
export async function connectionFor(sel: SelectedContext, env: NodeJS.ProcessEnv = process.env): Promise<ClientConnection> {
  const { cluster, user } = sel;
  let token = typeof user.token === 'string' && user.token !== '' ? user.token : undefined;
  if (token === undefined && typeof user.tokenFile === 'string' && user.tokenFile !== '') {
    token = (await readText(user.tokenFile)).trim();
  }
  const server = typeof cluster.server === 'string' && cluster.server !== '' ? cluster.server : 'http://localhost:8080';
  const caPem = await pem(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const tls = caPem !== undefined || cluster['insecure-skip-tls-verify'] === true;
  let certPem = await pem(user['client-certificate-data'], user['client-certificate']);
  let keyPem = await pem(user['client-key-data'], user['client-key']);
  if (token === undefined && certPem === undefined && typeof user.exec === 'object' && user.exec !== null) {
    // Credentials from an exec plugin (client.authentication.k8s.io), run once per invocation.
    const { runExecPlugin } = await import('./exec-credential.ts');
    const caData = caPem === undefined ? undefined : Buffer.from(caPem).toString('base64');
    const cred = await runExecPlugin(sel.userName, user.exec, { server, caData, insecure: cluster['insecure-skip-tls-verify'] === true }, env);
    token = cred.token !== undefined && cred.token !== '' ? cred.token : undefined;
    if (token === undefined) {
      certPem = cred.clientCertificateData;
      keyPem = cred.clientKeyData;
    }
  }
  return {
    // clientcmd accepts a bare host:port: https when TLS is configured, http otherwise.
    server: /^[a-z]+:\/\//i.test(server) ? server : `${tls ? 'https' : 'http'}://${server}`,
    caPem,
    certPem,
    keyPem,
    token,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    namespace: sel.namespace,
  };
}

/** `--request-timeout` in milliseconds (0 = none), with kubectl's error text for bad values. */
export function requestTimeoutMs(value: string): number {
  if (value === '' || value === '0') {
    return 0;
  }
  if (/^\d+$/.test(value)) {
    return Number(value) * 1000;
  }
  const m = /^(\d+)(ms|s|m|h)$/.exec(value);
  if (m === null) {
    throw new CliError('Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)');
  }
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * factor;
}
