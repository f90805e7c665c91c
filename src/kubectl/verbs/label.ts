/** `kubectl label`: see ../mutate/metadata-update.ts. */
import type { Verb } from '../command.ts';
import { metadataVerbFlags, runMetadataVerb } from '../mutate/metadata-update.ts';
import type { MetadataVerbSpec } from '../mutate/metadata-update.ts';

const spec: MetadataVerbSpec = { verb: 'label', field: 'labels', manager: 'kubectl-label' };

const label: Verb = {
  use: 'label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]',
  short: 'Update the labels on a resource',
  flags: metadataVerbFlags(spec),
  run: (ctx, args, flags) => runMetadataVerb(ctx, spec, args, flags),
};

export default label;
