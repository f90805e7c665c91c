/** `kubectl rollout SUBCOMMAND`: status, history, undo, restart, pause, resume (sub-verbs in ../polymorphic/rollout.ts). */
import type { Verb } from '../command.ts';
import { runSubverbs } from '../cli/subverbs.ts';
import type { SubverbTable } from '../cli/subverbs.ts';

const shorts: Readonly<Record<string, string>> = {
  history: 'View rollout history',
  pause: 'Mark the provided resource as paused',
  restart: 'Restart a resource',
  resume: 'Resume a paused resource',
  status: 'Show the status of the rollout',
  undo: 'Undo a previous rollout',
};

const table: SubverbTable = Object.fromEntries(
  Object.entries(shorts).map(([name, short]) => [name, { short, load: async () => (await import('../polymorphic/rollout.ts')).rolloutSubverbs[name] as Verb }]),
);

const verb: Verb = {
  use: 'rollout SUBCOMMAND',
  short: 'Manage the rollout of a resource',
  long: `Manage the rollout of one or many resources.
        
 Valid resource types include:

  *  deployments
  *  daemonsets
  *  statefulsets`,
  example: `  # Rollback to the previous deployment
  kubectl rollout undo deployment/abc
  
  # Check the rollout status of a daemonset
  kubectl rollout status daemonset/foo
  
  # Restart a deployment
  kubectl rollout restart deployment/abc
  
  # Restart deployments with the 'app=nginx' label
  kubectl rollout restart deployment --selector=app=nginx`,
  flags: [],
  passThroughArgs: true,
  async run(ctx, args, flags) {
    const code = await runSubverbs(ctx, 'rollout', verb, table, args, flags);
    // Upstream's DefaultSubCommandRun prints the help and exits 1 when no sub-verb is given (but -h is 0).
    const bare = !args.some((a) => !a.startsWith('-') || a === '-') && !args.includes('--help') && !args.includes('-h');
    return bare ? 1 : code;
  },
};

export default verb;
