/**
 * `kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)`: each object
 * described by its kind's describer, separated by blank lines; a name that does not exist is
 * tried as a prefix of the names of that type (`describe pods web` finds web-7d9f...).
 */
import { notFound, StatusError } from '../../api/errors.ts';
import type { RestClient } from '../../client/rest.ts';
import { ErrorList } from '../cli/errors.ts';
import type { FlagValues, KubectlContext, ResourceMapping, Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { describeObject, listAll } from '../describe/index.ts';
import type { DescribeSettings } from '../describe/index.ts';
import { buildResources } from '../resource/builder.ts';

type Obj = Record<string, unknown>;

const emptyError = `You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.`;

function stringFlag(flags: FlagValues, name: string): string {
  const v = flags.get(name);
  return typeof v === 'string' ? v : '';
}

function refFor(mapping: ResourceMapping, namespace: string, name?: string): { group: string; version: string; resource: string; namespace?: string; name?: string } {
  return { group: mapping.group, version: mapping.version, resource: mapping.resource, namespace: mapping.namespaced && namespace !== '' ? namespace : undefined, name };
}

function listNames(client: RestClient, mapping: ResourceMapping, namespace: string, query: Record<string, string | number>, chunkSize: number): Promise<Obj[]> {
  return listAll(client, mapping.group, mapping.version, mapping.resource, mapping.namespaced && namespace !== '' ? namespace : undefined, query, chunkSize);
}

function withKind(obj: Obj, mapping: ResourceMapping): Obj {
  return { ...obj, apiVersion: mapping.group === '' ? mapping.version : `${mapping.group}/${mapping.version}`, kind: mapping.kind };
}

const verb: Verb = {
  use: 'describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)',
  short: 'Show details of a specific resource or group of resources',
  flags: [
    { name: 'all-namespaces', short: 'A', type: 'bool', default: false, usage: 'If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.' },
    { name: 'chunk-size', type: 'int', default: 500, usage: 'Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.' },
    { name: 'filename', short: 'f', type: 'stringArray', usage: 'Filename, directory, or URL to files containing the resource to describe' },
    { name: 'kustomize', short: 'k', type: 'string', usage: 'Process the kustomization directory. This flag can\'t be used together with -f or -R.' },
    { name: 'recursive', short: 'R', type: 'bool', default: false, usage: 'Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.' },
    { name: 'selector', short: 'l', type: 'string', usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints." },
    { name: 'show-events', type: 'bool', default: true, usage: 'If true, display events related to the described object.' },
  ],
  async run(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
    const filenames = (flags.get('filename') as readonly string[] | undefined) ?? [];
    if (args.length === 0 && filenames.length === 0) {
      throw new CliError(emptyError);
    }
    const { namespace, explicit } = await ctx.namespace();
    const allNamespaces = flags.get('all-namespaces') === true;
    const selector = stringFlag(flags, 'selector');
    const chunkSize = typeof flags.get('chunk-size') === 'number' ? (flags.get('chunk-size') as number) : 500;
    const settings: DescribeSettings = { showEvents: flags.get('show-events') !== false, chunkSize };
    const discovery = await ctx.discovery();
    const client = await ctx.client();
    const built = await buildResources(discovery, {
      args, filenames, recursive: flags.get('recursive') === true, selector, allNamespaces, namespace, explicitNamespace: explicit,
      // A getter: process.stdin is created only for `-f -`.
      get stdin() {
        return ctx.stdin;
      },
    });

    // Resolve the infos into objects, as the builder's visitors would (GET names, LIST types).
    const targets: { mapping: ResourceMapping; obj: Obj }[] = [];
    const errors: unknown[] = [];
    for (const info of built.infos) {
      const name = info.name ?? (info.object ? String((info.object.metadata as { name?: unknown } | undefined)?.name ?? '') : undefined);
      if (name !== undefined) {
        try {
          targets.push({ mapping: info.mapping, obj: withKind((await client.get(refFor(info.mapping, info.namespace, name))) as unknown as Obj, info.mapping) });
        } catch (err) {
          if (err instanceof StatusError && err.code === 404 && args.length === 2 && !args[0]?.includes('/')) {
            return describePrefix(ctx, client, info.mapping, info.namespace, name, settings);
          }
          errors.push(err);
        }
        continue;
      }
      const items = await listNames(client, info.mapping, info.namespace, selector !== '' ? { labelSelector: selector } : {}, chunkSize);
      targets.push(...items.map((obj) => ({ mapping: info.mapping, obj: withKind(obj, info.mapping) })));
    }

    let first = true;
    for (const t of targets) {
      const text = await describeObject(client, t.mapping, t.obj, settings);
      await write(ctx, first ? text : `\n\n${text}`);
      first = false;
    }
    if (targets.length === 0 && errors.length === 0) {
      await writeErr(ctx, allNamespaces ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
    }
    if (errors.length > 0) {
      throw errors.length === 1 ? errors[0] : new ErrorList(errors);
    }
    return 0;
  },
};

/** kubectl's DescribeMatchingResources: every object of the type whose name starts with `prefix`, or the original NotFound. */
async function describePrefix(ctx: KubectlContext, client: RestClient, mapping: ResourceMapping, namespace: string, prefix: string, settings: DescribeSettings): Promise<number> {
  const items = await listNames(client, mapping, namespace, {}, settings.chunkSize);
  const matching = items.filter((o) => String((o.metadata as { name?: unknown } | undefined)?.name ?? '').startsWith(prefix));
  if (matching.length === 0) {
    throw notFound(mapping.group, mapping.resource, prefix);
  }
  for (const obj of matching) {
    await write(ctx, `${await describeObject(client, mapping, withKind(obj, mapping), settings)}\n`);
  }
  return 0;
}

function write(ctx: KubectlContext, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (ctx.stdout.write(text)) {
      resolve();
    } else {
      ctx.stdout.once('drain', () => resolve());
    }
  });
}

function writeErr(ctx: KubectlContext, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (ctx.stderr.write(text)) {
      resolve();
    } else {
      ctx.stderr.once('drain', () => resolve());
    }
  });
}

export default verb;
