/** `kubectl cordon NODE`: marks nodes unschedulable. */
import type { Verb } from '../command.ts';
import { cordonFlags, runCordonVerb } from '../polymorphic/cordon.ts';

const verb: Verb = {
  use: 'cordon NODE',
  short: 'Mark node as unschedulable',
  flags: cordonFlags,
  run: (ctx, args, flags) => runCordonVerb(ctx, args, flags, true),
};

export default verb;
