/**
 * `-o` for every verb (kubectl's PrintFlags): yaml, json, name, jsonpath[-as-json|-file],
 * go-template[-file], custom-columns[-file] (K2's modules), plus the "success" line mutating
 * verbs print (`deployment.apps/web created`). Tables live in ./table.ts; get drives them.
 */
import { CliError } from '../command.ts';
import type { FlagSpec, FlagValues } from '../command.ts';
import { boolFlag, stringFlag } from '../cli/flags.ts';

// node:fs without an ESM import: that facade reads fs.promises, which loads fs/promises and readline (start-up time).
const { readFileSync } = process.getBuiltinModule('node:fs');

/** The -o forms kubectl knows, in its error message's order. */
export const ALL_OUTPUT_FORMATS = ['custom-columns', 'custom-columns-file', 'go-template', 'go-template-file', 'json', 'jsonpath', 'jsonpath-as-json', 'jsonpath-file', 'kyaml', 'name', 'template', 'templatefile', 'wide', 'yaml'] as const;
/** The formats of verbs that print objects but no tables (create, apply, label, ...). */
export const OBJECT_OUTPUT_FORMATS = ALL_OUTPUT_FORMATS.filter((f) => f !== 'custom-columns' && f !== 'custom-columns-file' && f !== 'wide');

/** The flags PrintFlags adds to a verb (`-o`, `--template`, `--show-managed-fields`, `--allow-missing-template-keys`). */
export function printFlagSpecs(outputUsage = 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).'): FlagSpec[] {
  return [
    { name: 'output', short: 'o', type: 'string', default: '', usage: outputUsage },
    {
      name: 'template',
      type: 'string',
      default: '',
      usage: 'Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview].',
    },
    { name: 'show-managed-fields', type: 'bool', default: false, usage: 'If true, keep the managedFields when printing objects in JSON or YAML format.' },
    {
      name: 'allow-missing-template-keys',
      type: 'bool',
      default: true,
      usage: 'If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.',
    },
  ];
}

/** A parsed `-o` value. */
export interface OutputFormat {
  /** '' = the default (table for get, success lines for mutating verbs). */
  readonly format: '' | (typeof ALL_OUTPUT_FORMATS)[number];
  /** The text after `=` (template, columns spec, file name), or --template. */
  readonly argument: string;
}

/** Parses `-o` (and --template) against the formats the verb allows; kubectl's error text otherwise. */
export function parseOutput(flags: FlagValues, allowed: readonly string[] = ALL_OUTPUT_FORMATS): OutputFormat {
  const raw = stringFlag(flags, 'output');
  const template = stringFlag(flags, 'template');
  if (raw === '') {
    return { format: '', argument: '' };
  }
  const eq = raw.indexOf('=');
  const name = eq < 0 ? raw : raw.slice(0, eq);
  const argument = eq < 0 ? template : raw.slice(eq + 1);
  if (!allowed.includes(name)) {
    throw new CliError(`unable to match a printer suitable for the output format "${raw}", allowed formats are: ${allowed.join(',')}`);
  }
  const needsArg = ['go-template', 'go-template-file', 'template', 'templatefile', 'jsonpath', 'jsonpath-as-json', 'jsonpath-file'];
  if (needsArg.includes(name) && argument === '') {
    throw new CliError('template format specified but no template given');
  }
  if ((name === 'custom-columns' || name === 'custom-columns-file') && argument === '') {
    throw new CliError('custom-columns format specified but no custom columns given');
  }
  return { format: name as OutputFormat['format'], argument };
}

/** `kind.group` in lower case as kubectl's name printer writes it: `pod`, `deployment.apps`. */
export function kindGroup(obj: { readonly apiVersion?: unknown; readonly kind?: unknown }): string {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind = (typeof obj.kind === 'string' ? obj.kind : '').toLowerCase();
  return group === '' ? kind : `${kind}.${group}`;
}

function nameOf(obj: Record<string, unknown>): string {
  const meta = obj.metadata as { name?: unknown } | undefined;
  return typeof meta?.name === 'string' ? meta.name : '';
}

/** Drops metadata.managedFields (kubectl hides them unless --show-managed-fields). */
export function withoutManagedFields<T>(obj: T): T {
  if (typeof obj !== 'object' || obj === null) {
    return obj;
  }
  const o = obj as Record<string, unknown>;
  const meta = o.metadata as Record<string, unknown> | undefined;
  const items = Array.isArray(o.items) ? o.items.map((i: unknown) => withoutManagedFields(i)) : undefined;
  if (meta?.managedFields === undefined && items === undefined) {
    return obj;
  }
  const copy: Record<string, unknown> = { ...o };
  if (meta?.managedFields !== undefined) {
    const m = { ...meta };
    delete m.managedFields;
    copy.metadata = m;
  }
  if (items !== undefined) {
    copy.items = items;
  }
  return copy as T;
}

/** The `kind: List` wrapper kubectl prints several objects in. */
export function asList(items: readonly unknown[]): Record<string, unknown> {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}

function readArgFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`error reading --template ${path}, ${(e as Error).message}`);
  }
}

/**
 * Prints objects in a non-table format. `single`: print the one object itself rather than a List
 * (kubectl does when one named object was asked for). Returns the text.
 */
export async function formatObjects(objs: readonly Record<string, unknown>[], out: OutputFormat, flags: FlagValues, single: boolean, noHeaders = false): Promise<string> {
  const showManaged = boolFlag(flags, 'show-managed-fields');
  const allowMissingKeys = flags.get('allow-missing-template-keys') !== false;
  const cleaned = showManaged ? objs : objs.map((o) => withoutManagedFields(o));
  const data: unknown = single && cleaned.length === 1 ? cleaned[0] : asList(cleaned);
  switch (out.format) {
    // Each printer is loaded when its format is asked for: a table-only `get` needs none (start-up time).
    case 'json':
      return `${(await import('./gofmt.ts')).goJson(data, '    ')}\n`;
    case 'yaml':
    case 'kyaml':
      return (await import('./yaml.ts')).toYaml(data);
    case 'name':
      return objs.map((o) => `${kindGroup(o)}/${nameOf(o)}\n`).join('');
    case 'jsonpath':
    case 'jsonpath-file':
    case 'jsonpath-as-json': {
      const { compileJsonPath } = await import('./jsonpath.ts');
      const t = compileJsonPath(out.format === 'jsonpath-file' ? readArgFile(out.argument) : out.argument);
      // kubectl runs jsonpath once per object unless it was handed a List.
      const targets = single && cleaned.length === 1 ? [cleaned[0]] : [data];
      return targets.map((d) => (out.format === 'jsonpath-as-json' ? t.executeAsJson(d, { allowMissingKeys }) : t.execute(d, { allowMissingKeys }))).join('');
    }
    case 'go-template':
    case 'go-template-file':
    case 'template':
    case 'templatefile': {
      const { compileGoTemplate } = await import('./gotemplate.ts');
      const text = out.format === 'go-template-file' || out.format === 'templatefile' ? readArgFile(out.argument) : out.argument;
      return compileGoTemplate(text).execute(data, { allowMissingKeys });
    }
    case 'custom-columns':
    case 'custom-columns-file': {
      const { parseCustomColumns, printCustomColumns } = await import('./customcolumns.ts');
      const spec = out.format === 'custom-columns-file' ? readArgFile(out.argument) : out.argument;
      return printCustomColumns([...cleaned], parseCustomColumns(spec), noHeaders);
    }
    default:
      return (await import('./yaml.ts')).toYaml(data);
  }
}

/**
 * The line a mutating verb prints for one object: `deployment.apps/web created`, with
 * ` (dry run)` / ` (server dry run)`; `-o name` prints just `deployment.apps/web`.
 */
export function successLine(obj: { readonly apiVersion?: unknown; readonly kind?: unknown; readonly metadata?: unknown }, operation: string, opts: { readonly dryRun?: 'none' | 'client' | 'server'; readonly output?: string } = {}): string {
  const meta = obj.metadata as { name?: unknown } | undefined;
  const id = `${kindGroup(obj)}/${typeof meta?.name === 'string' ? meta.name : ''}`;
  if (opts.output === 'name') {
    return `${id}\n`;
  }
  const suffix = opts.dryRun === 'client' ? ' (dry run)' : opts.dryRun === 'server' ? ' (server dry run)' : '';
  return `${id} ${operation}${suffix}\n`;
}
