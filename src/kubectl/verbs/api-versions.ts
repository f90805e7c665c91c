/** `kubectl api-versions`: every served group/version, sorted, one per line. */
import { CliError } from '../command.ts';
import type { Verb } from '../command.ts';
import { apiVersionsHelp } from '../cli/helptext.ts';
import type { CachedDiscovery } from '../discovery/index.ts';

const verb: Verb = {
  use: apiVersionsHelp.use,
  short: 'Print the supported API versions on the server, in the form of "group/version"',
  long: apiVersionsHelp.long,
  example: apiVersionsHelp.example,
  flags: apiVersionsHelp.flags,
  async run(ctx, args) {
    if (args.length > 0) {
      throw new CliError(`unexpected arguments: [${args.join(' ')}]`);
    }
    const discovery = (await ctx.discovery()) as CachedDiscovery;
    // kubectl always asks the server here (it invalidates the cache first).
    await discovery.invalidate();
    const { groups } = await discovery.groups();
    const versions = groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion)).sort();
    ctx.stdout.write(versions.map((v) => `${v}\n`).join(''));
    return 0;
  },
};

export default verb;
