/** `kubectl annotate`: see ../mutate/metadata-update.ts. */
import type { Verb } from '../command.ts';
import { metadataVerbFlags, runMetadataVerb } from '../mutate/metadata-update.ts';
import type { MetadataVerbSpec } from '../mutate/metadata-update.ts';

const spec: MetadataVerbSpec = { verb: 'annotate', field: 'annotations', manager: 'kubectl-annotate' };

const annotate: Verb = {
  use: 'annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]',
  short: 'Update the annotations on a resource',
  flags: metadataVerbFlags(spec),
  run: (ctx, args, flags) => runMetadataVerb(ctx, spec, args, flags),
};

export default annotate;
