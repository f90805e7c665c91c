/** `kubectl uncordon NODE`: marks nodes schedulable again. */
import type { Verb } from '../command.ts';
import { cordonFlags, runCordonVerb } from '../polymorphic/cordon.ts';

const verb: Verb = {
  use: 'uncordon NODE',
  short: 'Mark node as schedulable',
  flags: cordonFlags,
  run: (ctx, args, flags) => runCordonVerb(ctx, args, flags, false),
};

export default verb;
