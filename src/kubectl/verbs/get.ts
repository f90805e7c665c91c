/**
 * `kubectl get`: server-side Tables for the default and wide output, plain objects for -o
 * yaml/json/name/templates; several names and kinds, categories, -A, -l, --field-selector,
 * --chunk-size paging, per-name NotFound errors after the found objects, -w/--watch-only.
 */
import type { RestClient } from '../../client/rest.ts';
import { pathFor } from '../../client/paths.ts';
import type { QueryParams } from '../../client/paths.ts';
import { StatusError } from '../../api/errors.ts';
import { ErrorList, RawMessageError } from '../command.ts';
import type { FlagSpec, FlagValues, KubectlContext, ResourceMapping, Verb } from '../command.ts';
import { arrayFlag, boolFlag, numberFlag, stringFlag } from '../cli/flags.ts';
import type { OutputFormat } from '../printers/index.ts';
import { isTable, TablePrinter } from '../printers/table.ts';
import type { Table } from '../printers/table.ts';
import { buildResources } from '../resource/builder.ts';
import type { ResourceInfo } from '../resource/builder.ts';

/** The Accept header kubectl sends for server-side printing. */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

/** `pod`, `deployment.apps`: how kubectl prefixes names when several kinds are shown. */
export function kindPrefix(m: ResourceMapping): string {
  return m.group === '' ? m.kind.toLowerCase() : `${m.kind.toLowerCase()}.${m.group}`;
}

interface Fetched {
  readonly info: ResourceInfo;
  readonly tables: Table[];
  readonly objects: Record<string, unknown>[];
}

function listQuery(flags: FlagValues, extra: QueryParams): QueryParams {
  const selector = stringFlag(flags, 'selector');
  const fieldSelector = stringFlag(flags, 'field-selector');
  return { ...(selector !== '' ? { labelSelector: selector } : {}), ...(fieldSelector !== '' ? { fieldSelector } : {}), ...extra };
}

/** GETs one object or pages through a collection. */
async function fetchInfo(client: RestClient, info: ResourceInfo, flags: FlagValues, tableMode: boolean, sortBy: string): Promise<Fetched> {
  const ref = { group: info.mapping.group, version: info.mapping.version, resource: info.mapping.resource, namespace: info.namespace };
  const accept = tableMode ? TABLE_ACCEPT : 'application/json';
  const include: QueryParams = tableMode && sortBy !== '' ? { includeObject: 'Object' } : {};
  const tables: Table[] = [];
  const objects: Record<string, unknown>[] = [];
  const take = (body: unknown, listKind: boolean): void => {
    if (isTable(body)) {
      tables.push(body);
      return;
    }
    const o = body as Record<string, unknown>;
    if (listKind && Array.isArray(o.items)) {
      const kind = typeof o.kind === 'string' ? o.kind.replace(/List$/, '') : info.mapping.kind;
      for (const item of o.items as Record<string, unknown>[]) {
        objects.push({ apiVersion: o.apiVersion, kind, ...item });
      }
    } else {
      objects.push(o);
    }
  };
  if (info.name !== undefined) {
    const subresource = stringFlag(flags, 'subresource');
    const body = await client.request({ method: 'GET', path: pathFor({ ...ref, name: info.name, subresource: subresource || undefined }), accept, query: include });
    take(body, false);
    return { info, tables, objects };
  }
  const chunk = sortBy !== '' ? 0 : numberFlag(flags, 'chunk-size', 500);
  let cont: string | undefined;
  do {
    const query = listQuery(flags, { ...include, ...(chunk > 0 ? { limit: chunk } : {}), ...(cont !== undefined ? { continue: cont } : {}) });
    const body = await client.request<Record<string, unknown>>({ method: 'GET', path: pathFor(ref), accept, query });
    take(body, true);
    const meta = body.metadata as { continue?: string } | undefined;
    cont = meta?.continue !== undefined && meta.continue !== '' ? meta.continue : undefined;
  } while (cont !== undefined);
  return { info, tables, objects };
}

function noResourcesMessage(infos: readonly ResourceInfo[], allNamespaces: boolean, namespace: string): string {
  const namespaced = infos.length > 0 && infos.every((i) => i.mapping.namespaced);
  return namespaced && !allNamespaces ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n';
}

async function printTables(ctx: KubectlContext, fetched: readonly Fetched[], flags: FlagValues, out: OutputFormat, withKind: boolean, sortBy: string): Promise<number> {
  let text = '';
  let rows = 0;
  let printer: TablePrinter | undefined;
  let current: ResourceMapping | undefined;
  let anyPrinted = false;
  const sorter = sortBy !== '' ? await import('../printers/sort.ts') : undefined;
  for (const f of fetched) {
    if (current === undefined || current.group !== f.info.mapping.group || current.resource !== f.info.mapping.resource) {
      if (printer !== undefined) {
        text += printer.flush();
        anyPrinted ||= printer.printedAnything;
      }
      const before = anyPrinted;
      printer = new TablePrinter({
        wide: out.format === 'wide',
        withNamespace: boolFlag(flags, 'all-namespaces'),
        noHeaders: boolFlag(flags, 'no-headers'),
        showLabels: boolFlag(flags, 'show-labels'),
        labelColumns: arrayFlag(flags, 'label-columns'),
        kindPrefix: withKind ? kindPrefix(f.info.mapping) : undefined,
      });
      // A blank line separates the tables of different kinds (not with --no-headers).
      if (before && !boolFlag(flags, 'no-headers') && f.tables.some((t) => (t.rows ?? []).length > 0)) {
        text += '\n';
      }
      current = f.info.mapping;
    }
    for (let t of f.tables) {
      if (sorter !== undefined) {
        t = sorter.sortTableRows(t, sortBy);
      }
      rows += (t.rows ?? []).length;
      printer?.add(t, false);
    }
  }
  if (printer !== undefined) {
    text += printer.flush();
  }
  ctx.stdout.write(text);
  return rows;
}

/** kubectl 1.35's `get` flags (as `kubectl get --help` lists them). */
const getFlags: readonly FlagSpec[] = [
  { name: 'all-namespaces', short: 'A', type: 'bool', default: false, usage: "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace." },
  { name: 'allow-missing-template-keys', type: 'bool', default: true, usage: "If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats." },
  { name: 'chunk-size', type: 'int', default: 500, usage: "Return large lists in chunks rather than all at once. Pass 0 to disable." },
  { name: 'field-selector', type: 'string', default: "", usage: "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type." },
  { name: 'filename', short: 'f', type: 'stringSlice', default: [], usage: "Filename, directory, or URL to files identifying the resource to get from a server." },
  { name: 'ignore-not-found', type: 'bool', default: false, usage: "If set to true, suppresses NotFound error for specific objects that do not exist. Using this flag with commands that query for collections of resources has no effect when no resources are found." },
  { name: 'kustomize', short: 'k', type: 'string', default: "", usage: "Process the kustomization directory. This flag can't be used together with -f or -R." },
  { name: 'label-columns', short: 'L', type: 'stringSlice', default: [], usage: "Accepts a comma separated list of labels that are going to be presented as columns. Names are case-sensitive. You can also use multiple flag options like -L label1 -L label2..." },
  { name: 'no-headers', type: 'bool', default: false, usage: "When using the default or custom-column output format, don't print headers (default print headers)." },
  { name: 'output', short: 'o', type: 'string', default: "", usage: "Output format. One of: (json, yaml, kyaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide). See custom columns [https://kubernetes.io/docs/reference/kubectl/#custom-columns], golang template [http://golang.org/pkg/text/template/#pkg-overview] and jsonpath template [https://kubernetes.io/docs/reference/kubectl/jsonpath/]." },
  { name: 'output-watch-events', type: 'bool', default: false, usage: "Output watch event objects when --watch or --watch-only is used. Existing objects are output as initial ADDED events." },
  { name: 'raw', type: 'string', default: "", usage: "Raw URI to request from the server.  Uses the transport specified by the kubeconfig file." },
  { name: 'recursive', short: 'R', type: 'bool', default: false, usage: "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory." },
  { name: 'selector', short: 'l', type: 'string', default: "", usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints." },
  { name: 'server-print', type: 'bool', default: true, usage: "If true, have the server return the appropriate table output. Supports extension APIs and CRDs." },
  { name: 'show-kind', type: 'bool', default: false, usage: "If present, list the resource type for the requested object(s)." },
  { name: 'show-labels', type: 'bool', default: false, usage: "When printing, show all labels as the last column (default hide labels column)" },
  { name: 'show-managed-fields', type: 'bool', default: false, usage: "If true, keep the managedFields when printing objects in JSON or YAML format." },
  { name: 'sort-by', type: 'string', default: "", usage: "If non-empty, sort list types using this field specification.  The field specification is expressed as a JSONPath expression (e.g. '{.metadata.name}'). The field in the API resource specified by this JSONPath expression must be an integer or a string." },
  { name: 'subresource', type: 'string', default: "", usage: "If specified, gets the subresource of the requested object." },
  { name: 'template', type: 'string', default: "", usage: "Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]." },
  { name: 'watch', short: 'w', type: 'bool', default: false, usage: "After listing/getting the requested object, watch for changes." },
  { name: 'watch-only', type: 'bool', default: false, usage: "Watch for changes to the requested object(s), without listing/getting first." },
];

const verb: Verb = {
  use: "get [(-o|--output=)json|yaml|kyaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...)",
  flagsInUseLine: true,
  short: 'Display one or many resources',
  // The long help (kubectl's description and examples) is only read for --help.
  loadHelp: async () => (await import('../cli/helptext.ts')).getLongHelp,
  flags: getFlags,
  async run(ctx, args, flags) {
    // The default table needs no printer module; -o forms are parsed (and refused) by printers/index.ts.
    const out: OutputFormat = stringFlag(flags, 'output') === '' ? { format: '', argument: '' } : (await import('../printers/index.ts')).parseOutput(flags);
    const filenames = arrayFlag(flags, 'filename');
    if (args.length === 0 && filenames.length === 0) {
      ctx.stderr.write('You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\n');
      throw new RawMessageError(
        'error: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples',
      );
    }
    const { namespace, explicit } = await ctx.namespace();
    const allNamespaces = boolFlag(flags, 'all-namespaces');
    const discovery = await ctx.discovery();
    const result = await buildResources(discovery, {
      args,
      filenames,
      recursive: boolFlag(flags, 'recursive'),
      selector: stringFlag(flags, 'selector'),
      allNamespaces,
      namespace,
      explicitNamespace: explicit,
      // A getter: process.stdin is created only for `-f -`.
      get stdin() {
        return ctx.stdin;
      },
    });
    const client = await ctx.client();
    const tableMode = (out.format === '' || out.format === 'wide') && flags.get('server-print') !== false;
    const sortBy = stringFlag(flags, 'sort-by');
    const withKind = result.mappings.length > 1 || boolFlag(flags, 'show-kind');
    if (boolFlag(flags, 'watch') || boolFlag(flags, 'watch-only')) {
      const { watchResources } = await import('../resource/watch.ts');
      return watchResources(ctx, client, result.infos, flags, out, withKind);
    }
    const fetched: Fetched[] = [];
    const errors: unknown[] = [];
    for (const info of result.infos) {
      try {
        fetched.push(await fetchInfo(client, info, flags, tableMode, sortBy));
      } catch (e) {
        if (e instanceof StatusError && e.code === 404 && info.name !== undefined && boolFlag(flags, 'ignore-not-found')) {
          continue;
        }
        if (e instanceof StatusError && e.code === 404 && info.name !== undefined) {
          errors.push(e);
          continue;
        }
        throw e;
      }
    }
    let count: number;
    if (tableMode) {
      count = await printTables(ctx, fetched, flags, out, withKind, sortBy);
    } else {
      let objects = fetched.flatMap((f) => [...f.objects, ...f.tables.flatMap((t) => (t.rows ?? []).map((r) => r.object as Record<string, unknown>))]);
      if (sortBy !== '') {
        const { sortObjects } = await import('../printers/sort.ts');
        objects = sortObjects(objects, sortBy);
      }
      count = objects.length;
      if (count > 0 || (out.format !== 'name' && !(result.singleItemImplied && errors.length > 0))) {
        const { formatObjects } = await import('../printers/index.ts');
        ctx.stdout.write(await formatObjects(objects, out, flags, result.singleItemImplied, boolFlag(flags, 'no-headers')));
      }
    }
    if (count === 0 && errors.length === 0 && tableMode && !boolFlag(flags, 'ignore-not-found')) {
      ctx.stderr.write(noResourcesMessage(result.infos, allNamespaces, namespace));
    }
    if (errors.length > 0) {
      throw new ErrorList(errors);
    }
    return 0;
  },
};

export default verb;
