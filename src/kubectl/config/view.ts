/**
 * `kubectl config view`: the merged (or --merge=false: first file's) config, minified to the
 * current context with --minify, secrets redacted (`DATA+OMITTED`, `REDACTED`) unless --raw,
 * files embedded with --flatten; YAML sorted like go-yaml, JSON in client-go's field order.
 */
import { readFileSync } from 'node:fs';
import type { Kubeconfig, NamedCluster, NamedContext, NamedUser } from '../../kubeconfig/types.ts';
import { CliError } from '../command.ts';
import type { FlagValues } from '../command.ts';
import { boolFlag, stringFlag } from '../cli/flags.ts';
import type { LoadedKubeconfig } from './clientcmd.ts';
import { readFile } from './persist.ts';

const clusterOrder = ['server', 'tls-server-name', 'insecure-skip-tls-verify', 'certificate-authority', 'certificate-authority-data', 'proxy-url', 'disable-compression', 'extensions'];
const userOrder = ['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'token', 'tokenFile', 'as', 'as-uid', 'as-groups', 'as-user-extra', 'username', 'password', 'auth-provider', 'exec', 'extensions'];
const contextOrder = ['cluster', 'user', 'namespace', 'extensions'];

function ordered(o: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of order) {
    if (o[k] !== undefined && o[k] !== '' && o[k] !== false) {
      out[k] = o[k];
    }
  }
  for (const [k, v] of Object.entries(o)) {
    if (!(k in out) && !order.includes(k) && v !== undefined) {
      out[k] = v;
    }
  }
  return out;
}

function byName<T extends { name: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function redact(cfg: Kubeconfig): void {
  for (const c of cfg.clusters) {
    if (typeof c.cluster['certificate-authority-data'] === 'string' && c.cluster['certificate-authority-data'] !== '') {
      c.cluster['certificate-authority-data'] = 'DATA+OMITTED';
    }
  }
  for (const u of cfg.users) {
    for (const k of ['client-certificate-data', 'client-key-data']) {
      if (typeof u.user[k] === 'string' && u.user[k] !== '') {
        u.user[k] = 'DATA+OMITTED';
      }
    }
    for (const k of ['token', 'password']) {
      if (typeof u.user[k] === 'string' && u.user[k] !== '') {
        u.user[k] = 'REDACTED';
      }
    }
  }
}

function flatten(cfg: Kubeconfig): void {
  const embed = (o: Record<string, unknown>, file: string, data: string): void => {
    const f = o[file];
    if (typeof f === 'string' && f !== '') {
      o[data] = readFileSync(f).toString('base64');
      delete o[file];
    }
  };
  for (const c of cfg.clusters) {
    embed(c.cluster, 'certificate-authority', 'certificate-authority-data');
  }
  for (const u of cfg.users) {
    embed(u.user, 'client-certificate', 'client-certificate-data');
    embed(u.user, 'client-key', 'client-key-data');
  }
}

function minify(cfg: Kubeconfig, contextName: string): void {
  if (contextName === '') {
    throw new CliError('current-context must exist in order to minify');
  }
  const ctx = cfg.contexts.find((c) => c.name === contextName);
  if (ctx === undefined) {
    throw new CliError(`cannot locate context ${contextName}`);
  }
  cfg.contexts = [ctx];
  cfg.clusters = cfg.clusters.filter((c) => c.name === ctx.context.cluster);
  cfg.users = cfg.users.filter((u) => u.name === ctx.context.user);
  cfg['current-context'] = contextName;
}

/** The config document `config view` prints: `json` selects client-go's JSON field order, else go-yaml's sorted layout. */
export function viewDocument(loaded: LoadedKubeconfig, flags: FlagValues, globals: FlagValues, forJson: boolean): Record<string, unknown> {
  const cfg: Kubeconfig = structuredClone(flags.get('merge') === false && loaded.files.length > 0 ? readFile(loaded.files[0]) : loaded.config);
  if (boolFlag(flags, 'minify')) {
    minify(cfg, stringFlag(globals, 'context') || cfg['current-context']);
  }
  if (boolFlag(flags, 'flatten')) {
    flatten(cfg);
  } else if (!boolFlag(flags, 'raw')) {
    redact(cfg);
  }
  const clusters = byName(cfg.clusters).map((c: NamedCluster) => (forJson ? { name: c.name, cluster: ordered(c.cluster, clusterOrder) } : { cluster: ordered(c.cluster, clusterOrder), name: c.name }));
  const users = byName(cfg.users).map((u: NamedUser) => (forJson ? { name: u.name, user: ordered(u.user, userOrder) } : { name: u.name, user: ordered(u.user, userOrder) }));
  const contexts = byName(cfg.contexts).map((c: NamedContext) => (forJson ? { name: c.name, context: ordered(c.context, contextOrder) } : { context: ordered(c.context, contextOrder), name: c.name }));
  const prefs = cfg.preferences !== undefined && Object.keys(cfg.preferences).length > 0 ? { preferences: cfg.preferences } : {};
  return {
    kind: 'Config',
    apiVersion: 'v1',
    ...prefs,
    clusters: clusters.length === 0 ? null : clusters,
    users: users.length === 0 ? null : users,
    contexts: contexts.length === 0 ? null : contexts,
    'current-context': cfg['current-context'],
  };
}
