/**
 * The one k8ts binary (STYLE.md §9): dispatches on the subcommand, or on the name it was
 * started as (a `kubectl` symlink runs the kubectl command). Each command is imported
 * lazily so that start-up only pays for the command that runs.
 */
// Built-ins without ESM imports: building node:module's facade reads every export, and its lazy
// SourceMap getter loads the source-map module (every component's start-up pays for it).
const { basename } = process.getBuiltinModule('node:path');

// Node caches compiled (and type-stripped) modules on disk: later starts of every component skip
// most of the parse/compile work (the default cache lives under the OS temp dir). bin/k8ts sets
// NODE_COMPILE_CACHE, with which Node has enabled the cache before this module was read: then
// node:module (not otherwise loaded by a kubectl run) is not needed here.
if (process.env.NODE_COMPILE_CACHE === undefined) {
  process.getBuiltinModule('node:module').enableCompileCache();
}

type CommandMain = (argv: string[]) => Promise<number | void>;

const commands: Record<string, { summary: string; load: () => Promise<CommandMain> }> = {
  apiserver: { summary: 'run the Kubernetes API server', load: async () => (await import('./apiserver.ts')).main },
  scheduler: { summary: 'run the scheduler (kube-scheduler)', load: async () => (await import('./scheduler.ts')).main },
  'controller-manager': { summary: 'run the controller manager (kube-controller-manager)', load: async () => (await import('./controller-manager.ts')).main },
  kubelet: { summary: 'run the node agent (kubelet): pods as runc containers', load: async () => (await import('./kubelet.ts')).main },
  proxy: { summary: 'run the network proxy (kube-proxy, nftables mode)', load: async () => (await import('./proxy.ts')).main },
  agent: { summary: 'run a worker node: kubelet + proxy + host-gw routes', load: async () => (await import('./agent.ts')).main },
  'sim-nodes': { summary: 'run simulated nodes (a KWOK-like fake kubelet fleet)', load: async () => (await import('./sim-nodes.ts')).main },
  images: { summary: 'manage the node image store (import, list, rm)', load: async () => (await import('./images.ts')).main },
  dns: { summary: 'serve cluster DNS (Services, pods) and forward other names', load: async () => (await import('./dns.ts')).main },
  up: { summary: 'start a single-node cluster in the foreground', load: async () => (await import('./up.ts')).main },
  kubectl: { summary: 'the Kubernetes command-line client (also run as a `kubectl` symlink)', load: async () => (await import('../kubectl/main.ts')).main },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(20)} ${c.summary}`);
  return `k8ts: a Kubernetes cluster in TypeScript\n\nUsage: k8ts <command> [flags]\n\nCommands:\n${lines.join('\n')}\n`;
}

async function run(): Promise<number> {
  const argv0 = process.env.K8TS_ARGV0 ?? basename(process.argv[1] ?? '');
  let args = process.argv.slice(2);
  let name = args[0];
  if (argv0 !== 'k8ts' && argv0 !== 'main.ts' && commands[argv0] !== undefined) {
    name = argv0;
  } else {
    args = args.slice(1);
  }
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 1 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`k8ts: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  const main = await command.load();
  return (await main(args)) ?? 0;
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`k8ts: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
