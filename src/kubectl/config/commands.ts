/** The `kubectl config` sub-verbs, with upstream's messages (`Switched to context "x".`, `Context "x" created.`). */
import { readFileSync } from 'node:fs';
import type { KubeconfigCluster, KubeconfigContext, KubeconfigUser } from '../../kubeconfig/types.ts';
import { CliError } from '../command.ts';
import type { KubectlContext, Verb } from '../command.ts';
import { RawMessageError } from '../cli/errors.ts';
import { arrayFlag, boolFlag, stringFlag } from '../cli/flags.ts';
import * as help from '../cli/helptext.ts';
import type { HelpText } from '../cli/helptext.ts';
import { TabWriter } from '../printers/tabwriter.ts';
import type { FullKubectlContext } from '../context.ts';
import { fileFor, modifyFile, upsert } from './persist.ts';

function full(ctx: KubectlContext): FullKubectlContext {
  return ctx as FullKubectlContext;
}

/** The config sub-commands upstream leaves without DisableFlagsInUseLine (their usage says `[flags]`). */
const flagsInUseLine = new Set(['view', 'current-context', 'get-clusters', 'get-users']);

function sub(name: string, h: HelpText, short: string, run: Verb['run']): Verb {
  return { use: h.use, short, long: h.long, example: h.example, flags: h.flags, flagsInUseLine: flagsInUseLine.has(name), run };
}

function names<T extends { name: string }>(list: readonly T[]): string[] {
  return list.map((x) => x.name).sort();
}

function output(ctx: KubectlContext, text: string): number {
  ctx.stdout.write(text);
  return 0;
}

const view = sub('view', help.configViewHelp, 'Display merged kubeconfig settings or a specified kubeconfig file', async (ctx, args, flags) => {
  if (args.length > 0) {
    throw new CliError(`Unexpected args: [${args.join(' ')}]`);
  }
  const out = stringFlag(flags, 'output') || 'yaml';
  const loaded = full(ctx).kubeconfig();
  const { viewDocument } = await import('./view.ts');
  if (out === 'json') {
    const { goJson } = await import('../printers/gofmt.ts');
    // client-go marshals the Config struct: its field order, not sorted keys.
    const doc = viewDocument(loaded, flags, ctx.globals, true);
    return output(ctx, `${JSON.stringify(doc, null, 4).replace(/[<>&]/g, (c) => goJson(c).slice(1, -1))}\n`);
  }
  if (out === 'yaml') {
    const { toYaml } = await import('../printers/yaml.ts');
    return output(ctx, toYaml(viewDocument(loaded, flags, ctx.globals, false)));
  }
  const { formatObjects, parseOutput } = await import('../printers/index.ts');
  const parsed = parseOutput(flags, ['go-template', 'go-template-file', 'json', 'jsonpath', 'jsonpath-as-json', 'jsonpath-file', 'kyaml', 'name', 'template', 'templatefile', 'yaml']);
  return output(ctx, await formatObjects([viewDocument(loaded, flags, ctx.globals, true)], parsed, flags, true));
});

const getContexts = sub('get-contexts', help.configGetContextsHelp, 'Describe one or many contexts', async (ctx, args, flags) => {
  const cfg = full(ctx).kubeconfig().config;
  const out = stringFlag(flags, 'output');
  if (out !== '' && out !== 'name') {
    throw new CliError(`output must be one of '' or 'name': ${out}`);
  }
  let contexts = [...cfg.contexts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const missing: string[] = [];
  if (args.length > 0) {
    missing.push(...args.filter((a) => !contexts.some((c) => c.name === a)));
    contexts = contexts.filter((c) => args.includes(c.name));
  }
  if (out === 'name') {
    ctx.stdout.write(contexts.map((c) => `${c.name}\n`).join(''));
  } else {
    const w = new TabWriter();
    if (!boolFlag(flags, 'no-headers')) {
      w.row(['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE']);
    }
    for (const c of contexts) {
      w.row([c.name === cfg['current-context'] ? '*' : '', c.name, c.context.cluster ?? '', c.context.user ?? '', c.context.namespace ?? '']);
    }
    ctx.stdout.write(w.flush());
  }
  if (missing.length > 0) {
    throw new CliError(`context ${missing[0]} not found`);
  }
  return 0;
});

const currentContext = sub('current-context', help.configCurrentContextHelp, 'Display the current-context', async (ctx) => {
  const current = full(ctx).kubeconfig().config['current-context'];
  if (current === '') {
    throw new CliError('current-context is not set');
  }
  return output(ctx, `${current}\n`);
});

const useContext = sub('use-context', help.configUseContextHelp, 'Set the current-context in a kubeconfig file', async (ctx, args) => {
  if (args.length !== 1) {
    throw new CliError(`Unexpected args: [${args.join(' ')}]`);
  }
  const loaded = full(ctx).kubeconfig();
  const name = args[0];
  if (!loaded.config.contexts.some((c) => c.name === name)) {
    throw new CliError(`no context exists with the name: "${name}"`);
  }
  modifyFile(fileFor(loaded, 'current-context', name), (cfg) => {
    cfg['current-context'] = name;
  });
  return output(ctx, `Switched to context "${name}".\n`);
});

function changed(ctx: KubectlContext, name: string): boolean {
  return ctx.changed?.has(name) === true;
}

const setContext = sub('set-context', help.configSetContextHelp, 'Set a context entry in kubeconfig', async (ctx, args, flags) => {
  const loaded = full(ctx).kubeconfig();
  const current = boolFlag(flags, 'current');
  if (current && args.length > 0) {
    throw new CliError('you cannot specify both a context name and --current');
  }
  const name = current ? loaded.config['current-context'] : (args[0] ?? '');
  if (name === '') {
    throw new CliError(current ? 'no current context is set' : 'you must specify a non-empty context name or --current');
  }
  const existing = loaded.config.contexts.find((c) => c.name === name);
  modifyFile(fileFor(loaded, 'contexts', name), (cfg) => {
    const base: KubeconfigContext = { ...(cfg.contexts.find((c) => c.name === name)?.context ?? existing?.context ?? { cluster: '', user: '' }) };
    for (const [flag, key] of [['cluster', 'cluster'], ['user', 'user'], ['namespace', 'namespace']] as const) {
      if (changed(ctx, flag)) {
        base[key] = stringFlag(flags, flag);
      }
    }
    upsert(cfg.contexts, { name, context: base });
  });
  return output(ctx, `Context "${name}" ${existing === undefined ? 'created' : 'modified'}.\n`);
});

const setCluster = sub('set-cluster', help.configSetClusterHelp, 'Set a cluster entry in kubeconfig', async (ctx, args, flags) => {
  if (args.length !== 1 || args[0] === '') {
    throw new CliError(`Unexpected args: [${args.join(' ')}]`);
  }
  const name = args[0];
  const loaded = full(ctx).kubeconfig();
  modifyFile(fileFor(loaded, 'clusters', name), (cfg) => {
    const c: KubeconfigCluster = { ...(cfg.clusters.find((x) => x.name === name)?.cluster ?? { server: '' }) };
    for (const key of ['server', 'tls-server-name', 'proxy-url'] as const) {
      if (changed(ctx, key)) {
        c[key] = stringFlag(flags, key);
      }
    }
    if (changed(ctx, 'insecure-skip-tls-verify')) {
      c['insecure-skip-tls-verify'] = boolFlag(flags, 'insecure-skip-tls-verify');
      if (c['insecure-skip-tls-verify'] === true) {
        delete c['certificate-authority'];
        delete c['certificate-authority-data'];
      }
    }
    if (changed(ctx, 'certificate-authority')) {
      const path = stringFlag(flags, 'certificate-authority');
      if (boolFlag(flags, 'embed-certs')) {
        c['certificate-authority-data'] = readFileBase64(path);
        delete c['certificate-authority'];
      } else {
        c['certificate-authority'] = path;
        delete c['certificate-authority-data'];
      }
    }
    upsert(cfg.clusters, { name, cluster: c });
  });
  return output(ctx, `Cluster "${name}" set.\n`);
});

function readFileBase64(path: string): string {
  return readFileSync(path).toString('base64');
}

const setCredentials = sub('set-credentials', help.configSetCredentialsHelp, 'Set a user entry in kubeconfig', async (ctx, args, flags) => {
  if (args.length !== 1 || args[0] === '') {
    throw new CliError(`Unexpected args: [${args.join(' ')}]`);
  }
  const name = args[0];
  const loaded = full(ctx).kubeconfig();
  modifyFile(fileFor(loaded, 'users', name), (cfg) => {
    const u: KubeconfigUser = { ...(cfg.users.find((x) => x.name === name)?.user ?? {}) };
    for (const [flag, file, data] of [['client-certificate', 'client-certificate', 'client-certificate-data'], ['client-key', 'client-key', 'client-key-data']] as const) {
      if (changed(ctx, flag)) {
        if (boolFlag(flags, 'embed-certs')) {
          u[data] = readFileBase64(stringFlag(flags, flag));
          delete u[file];
        } else {
          u[file] = stringFlag(flags, flag);
          delete u[data];
        }
      }
    }
    for (const key of ['token', 'username', 'password'] as const) {
      if (changed(ctx, key)) {
        u[key] = stringFlag(flags, key);
      }
    }
    if (changed(ctx, 'exec-command') || changed(ctx, 'exec-api-version') || changed(ctx, 'exec-arg') || changed(ctx, 'exec-env')) {
      const exec = { ...((u.exec as Record<string, unknown> | undefined) ?? {}) };
      if (changed(ctx, 'exec-command')) {
        exec.command = stringFlag(flags, 'exec-command');
      }
      if (changed(ctx, 'exec-api-version')) {
        exec.apiVersion = stringFlag(flags, 'exec-api-version');
      }
      if (changed(ctx, 'exec-arg')) {
        exec.args = [...arrayFlag(flags, 'exec-arg')];
      }
      if (changed(ctx, 'exec-env')) {
        exec.env = arrayFlag(flags, 'exec-env').map((kv) => ({ name: kv.split('=')[0], value: kv.slice(kv.indexOf('=') + 1) }));
      }
      u.exec = exec;
    }
    upsert(cfg.users, { name, user: u });
  });
  return output(ctx, `User "${name}" set.\n`);
});

function deleter(kind: 'contexts' | 'clusters' | 'users', h: HelpText, short: string, noun: string): Verb {
  return sub(`delete-${noun}`, h, short, async (ctx, args) => {
    if (args.length !== 1) {
      throw new CliError(`Unexpected args: [${args.join(' ')}]`);
    }
    const name = args[0];
    const loaded = full(ctx).kubeconfig();
    const file = loaded.origin[kind].get(name);
    if (file === undefined) {
      throw new CliError(`cannot delete ${noun} ${name}, not in ${loaded.explicit ? loaded.files[0] : (loaded.files[0] ?? '')}`);
    }
    modifyFile(file, (cfg) => {
      (cfg[kind] as { name: string }[]) = (cfg[kind] as { name: string }[]).filter((e) => e.name !== name);
    });
    if (kind === 'contexts' && loaded.config['current-context'] === name) {
      ctx.stderr.write('warning: this removed your active context, use "kubectl config use-context" to select a different one\n');
    }
    return output(ctx, `deleted ${noun} ${name} from ${file}\n`);
  });
}

const getClusters = sub('get-clusters', help.configGetClustersHelp, 'Display clusters defined in the kubeconfig', async (ctx) =>
  output(ctx, `NAME\n${names(full(ctx).kubeconfig().config.clusters).map((n) => `${n}\n`).join('')}`),
);

const getUsers = sub('get-users', help.configGetUsersHelp, 'Display users defined in the kubeconfig', async (ctx) =>
  output(ctx, `NAME\n${names(full(ctx).kubeconfig().config.users).map((n) => `${n}\n`).join('')}`),
);

const renameContext = sub('rename-context', help.configRenameContextHelp, 'Rename a context from the kubeconfig file', async (ctx, args) => {
  if (args.length !== 2) {
    throw new CliError(`Unexpected args: [${args.join(' ')}]`);
  }
  const [from, to] = args;
  const loaded = full(ctx).kubeconfig();
  const file = loaded.origin.contexts.get(from);
  if (file === undefined) {
    throw new CliError(`cannot rename the context "${from}", it's not in ${loaded.files[0] ?? ''}`);
  }
  if (loaded.origin.contexts.has(to)) {
    throw new CliError(`cannot rename the context "${from}", the context "${to}" already exists in ${loaded.files[0] ?? ''}`);
  }
  modifyFile(file, (cfg) => {
    for (const c of cfg.contexts) {
      if (c.name === from) {
        c.name = to;
      }
    }
    if (cfg['current-context'] === from) {
      cfg['current-context'] = to;
    }
  });
  return output(ctx, `Context "${from}" renamed to "${to}".\n`);
});

/** Sub-verb table for `kubectl config`. */
export const configSubverbs: Readonly<Record<string, Verb>> = {
  'current-context': currentContext,
  'delete-cluster': deleter('clusters', help.configDeleteClusterHelp, 'Delete the specified cluster from the kubeconfig', 'cluster'),
  'delete-context': deleter('contexts', help.configDeleteContextHelp, 'Delete the specified context from the kubeconfig', 'context'),
  'delete-user': deleter('users', help.configDeleteUserHelp, 'Delete the specified user from the kubeconfig', 'user'),
  'get-clusters': getClusters,
  'get-contexts': getContexts,
  'get-users': getUsers,
  'rename-context': renameContext,
  'set-cluster': setCluster,
  'set-context': setContext,
  'set-credentials': setCredentials,
  'use-context': useContext,
  view,
};

/** Raised for a sub-verb kubectl has and k8ts does not (set, unset). */
export function notImplemented(name: string): never {
  throw new RawMessageError(`error: kubectl config ${name} is not implemented in k8ts kubectl`);
}

/** Upstream's short descriptions, for `kubectl config` help. */
export const configShorts: Readonly<Record<string, string>> = {
  'current-context': 'Display the current-context',
  'delete-cluster': 'Delete the specified cluster from the kubeconfig',
  'delete-context': 'Delete the specified context from the kubeconfig',
  'delete-user': 'Delete the specified user from the kubeconfig',
  'get-clusters': 'Display clusters defined in the kubeconfig',
  'get-contexts': 'Describe one or many contexts',
  'get-users': 'Display users defined in the kubeconfig',
  'rename-context': 'Rename a context from the kubeconfig file',
  set: 'Set an individual value in a kubeconfig file',
  'set-cluster': 'Set a cluster entry in kubeconfig',
  'set-context': 'Set a context entry in kubeconfig',
  'set-credentials': 'Set a user entry in kubeconfig',
  unset: 'Unset an individual value in a kubeconfig file',
  'use-context': 'Set the current-context in a kubeconfig file',
  view: 'Display merged kubeconfig settings or a specified kubeconfig file',
};
