/**
 * kubeconfig loading with clientcmd's precedence: `--kubeconfig` (that file only, must exist),
 * else every file of `$KUBECONFIG` merged (first definition of a name wins, first non-empty
 * current-context wins, missing files skipped), else `~/.kube/config`. Relative paths inside a
 * file are made absolute against that file, as clientcmd's ResolveLocalPaths does.
 */
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type * as KubeconfigFile from '../../kubeconfig/file.ts';
import { emptyKubeconfig, kubeconfigFromDocument } from '../../kubeconfig/types.ts';
import type { Kubeconfig } from '../../kubeconfig/types.ts';
import { CliError } from '../command.ts';
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
