/** `kubectl api-resources`: the server's resources (preferred versions) as kubectl's table, sorted by group then name. */
import { CliError } from '../command.ts';
import type { ResourceMapping, Verb } from '../command.ts';
import { arrayFlag, boolFlag, stringFlag } from '../cli/flags.ts';
import { apiResourcesHelp } from '../cli/helptext.ts';
import { TabWriter } from '../printers/tabwriter.ts';

function apiVersion(m: ResourceMapping): string {
  return m.group === '' ? m.version : `${m.group}/${m.version}`;
}

const verb: Verb = {
  use: apiResourcesHelp.use,
  flagsInUseLine: true,
  short: 'Print the supported API resources on the server',
  long: apiResourcesHelp.long,
  example: apiResourcesHelp.example,
  flags: apiResourcesHelp.flags.map((f) => (f.name === 'verbs' || f.name === 'categories' ? { ...f, type: 'stringSlice' as const } : f)),
  async run(ctx, args, flags) {
    if (args.length > 0) {
      throw new CliError(`unexpected arguments: [${args.join(' ')}]`);
    }
    const output = stringFlag(flags, 'output');
    if (output !== '' && !['json', 'kyaml', 'name', 'wide', 'yaml'].includes(output)) {
      throw new CliError(`unable to match a printer suitable for the output format "${output}", allowed formats are: json,kyaml,name,wide,yaml`);
    }
    if (output === 'json' || output === 'yaml' || output === 'kyaml') {
      throw new CliError(`-o ${output} is not supported by k8ts kubectl api-resources yet`);
    }
    const discovery = await ctx.discovery();
    if (boolFlag(flags, 'cached') === false) {
      await discovery.invalidate();
    }
    const group = stringFlag(flags, 'api-group');
    const verbs = arrayFlag(flags, 'verbs');
    const categories = arrayFlag(flags, 'categories');
    const sortBy = stringFlag(flags, 'sort-by');
    let list = (await discovery.all()).filter(
      (m) =>
        (!ctx.changed?.has('api-group') || m.group === group) &&
        (!ctx.changed?.has('namespaced') || m.namespaced === boolFlag(flags, 'namespaced')) &&
        verbs.every((v) => m.verbs.includes(v)) &&
        categories.every((c) => m.categories.includes(c)),
    );
    const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    list = [...list].sort((a, b) => (sortBy === 'name' ? cmp(a.resource, b.resource) : sortBy === 'kind' ? cmp(a.kind, b.kind) : cmp(a.group, b.group) || cmp(a.resource, b.resource)));
    if (output === 'name') {
      ctx.stdout.write(list.map((m) => `${m.group === '' ? m.resource : `${m.resource}.${m.group}`}\n`).join(''));
      return 0;
    }
    const wide = output === 'wide';
    const w = new TabWriter();
    if (!boolFlag(flags, 'no-headers')) {
      w.row(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])]);
    }
    for (const m of list) {
      w.row([m.resource, m.shortNames.join(','), apiVersion(m), String(m.namespaced), m.kind, ...(wide ? [m.verbs.join(','), m.categories.join(',')] : [])]);
    }
    ctx.stdout.write(w.flush());
    return 0;
  },
};

export default verb;
