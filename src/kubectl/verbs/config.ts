/** `kubectl config <sub-verb>`: dispatches to src/kubectl/config/commands.ts. */
import type { Verb } from '../command.ts';
import { configHelp } from '../cli/helptext.ts';
import { runSubverbs } from '../cli/subverbs.ts';
import type { SubverbTable } from '../cli/subverbs.ts';

const verb: Verb = {
  use: configHelp.use,
  short: 'Modify kubeconfig files',
  long: configHelp.long,
  example: configHelp.example,
  flags: configHelp.flags,
  passThroughArgs: true,
  async run(ctx, args, flags) {
    const { configSubverbs, configShorts, notImplemented } = await import('../config/commands.ts');
    const table: Record<string, SubverbTable[string]> = {};
    for (const [name, short] of Object.entries(configShorts)) {
      const v = configSubverbs[name];
      table[name] = { short, load: async () => v ?? { use: name, short, flags: [], run: () => notImplemented(name) } };
    }
    return runSubverbs(ctx, 'config', verb, table, args, flags);
  },
};

export default verb;
