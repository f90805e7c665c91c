/**
 * What the mutating verbs share: the dry-run flag, the field-manager/validate flags, names as
 * kubectl prints them (`deployment.apps/web`, `deployment.apps "web"`), and printing either the
 * object (`-o`) or the success line (`deployment.apps/web created (dry run)`).
 */
import type { FlagSpec, FlagValues, KubectlContext } from '../command.ts';
import { CliError } from '../command.ts';
import { formatObjects, OBJECT_OUTPUT_FORMATS, parseOutput, printFlagSpecs, successLine, withoutManagedFields } from '../printers/index.ts';

/** `--dry-run` as upstream reads it (cmdutil.GetDryRunStrategy). */
export const DryRun = { None: 'none', Client: 'client', Server: 'server' } as const;
export type DryRun = (typeof DryRun)[keyof typeof DryRun];

/** `--dry-run` (NoOptDefVal "unchanged", which means client, as upstream still accepts). */
export const dryRunFlag: FlagSpec = {
  name: 'dry-run',
  type: 'string',
  default: 'none',
  noOptDefault: 'unchanged',
  usage: 'Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.',
};

/** Reads `--dry-run`; throws upstream's error for other values. */
export function dryRunStrategy(flags: FlagValues): DryRun {
  const v = flags.get('dry-run');
  const s = typeof v === 'string' ? v : v === true ? 'unchanged' : 'none';
  switch (s) {
    case 'client':
    case 'unchanged':
      return DryRun.Client;
    case 'server':
      return DryRun.Server;
    case 'none':
    case '':
    case 'false':
      return DryRun.None;
    default:
      throw new CliError(`Invalid dry-run value (${s}). Must be "none", "server", or "client".`);
  }
}

/** The flags of upstream's PrintFlags that the mutating verbs take (`-o`, `--template`, ...). */
export const printFlags: readonly FlagSpec[] = printFlagSpecs();

/** `--field-manager NAME` with the verb's default. */
export function fieldManagerFlag(defaultName: string): FlagSpec {
  return { name: 'field-manager', type: 'string', default: defaultName, usage: 'Name of the manager used to track field ownership.' };
}

/** `--validate` (strict by default; bare `--validate` means strict). */
export const validateFlag: FlagSpec = {
  name: 'validate',
  type: 'string',
  default: 'strict',
  noOptDefault: 'strict',
  usage: `Must be one of: strict (or true), warn, ignore (or false). "true" or "strict" will use a schema to validate the input and fail the request if invalid. It will perform server side validation if ServerSideFieldValidation is enabled on the api-server, but will fall back to less reliable client-side validation if not. "warn" will warn about unknown or duplicate fields without blocking the request if server-side field validation is enabled on the API server, and behave as "ignore" otherwise. "false" or "ignore" will not perform any schema validation, silently dropping any unknown and/or duplicate fields.`,
};

/** The `fieldValidation` query value for `--validate` (cmdutil.GetValidationDirective). */
export function fieldValidation(flags: FlagValues): 'Strict' | 'Warn' | 'Ignore' {
  const v = flags.get('validate');
  const s = typeof v === 'string' ? v.toLowerCase() : v === false ? 'false' : 'strict';
  switch (s) {
    case 'strict':
    case 'true':
    case '':
      return 'Strict';
    case 'warn':
      return 'Warn';
    case 'ignore':
    case 'false':
      return 'Ignore';
    default:
      throw new CliError(`invalid - validate option "${s}"; must be one of: strict (or true), warn, ignore (or false)`);
  }
}

/** `--save-config`. */
export const saveConfigFlag: FlagSpec = {
  name: 'save-config',
  type: 'bool',
  default: false,
  usage: 'If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.',
};

/**
 * Prints one object the way upstream's PrintFlags do for a mutating verb: the success line
 * (`<kind.group>/<name> <operation>[ (dry run)]`) when no `-o` is set, else the `-o` format.
 * `typed`: the object came from a typed client upstream (generators), whose `-o json` keeps the
 * Go field order rather than sorting keys.
 */
export async function printObject(ctx: KubectlContext, flags: FlagValues, obj: Record<string, unknown>, operation: string, dryRun: DryRun, typed = false): Promise<void> {
  const out = parseOutput(flags, OBJECT_OUTPUT_FORMATS);
  if (out.format === '' || out.format === 'name') {
    ctx.stdout.write(successLine(obj, operation, { dryRun, output: out.format }));
    return;
  }
  if (out.format === 'json' && typed) {
    const shown = flags.get('show-managed-fields') === true ? obj : withoutManagedFields(obj);
    ctx.stdout.write(`${JSON.stringify(shown, null, 4).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)}\n`);
    return;
  }
  ctx.stdout.write(await formatObjects([obj], out, flags, true));
}

/** Whether `-o` asks for the object rather than the success line. */
export function wantsObject(flags: FlagValues): boolean {
  const o = flags.get('output');
  return typeof o === 'string' && o !== '' && o !== 'name';
}

/** `--cascade` (delete, apply --prune). */
export const cascadeFlag: FlagSpec = {
  name: 'cascade',
  type: 'string',
  default: 'background',
  noOptDefault: 'background',
  usage: 'Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents (e.g. Pods created by a ReplicationController). Defaults to background.',
};

/** `--grace-period` (delete, apply --prune). */
export const gracePeriodFlag: FlagSpec = {
  name: 'grace-period',
  type: 'int',
  default: -1,
  usage: 'Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion).',
};

/** `--cascade` as a deletion propagation policy (upstream's GetCascadingStrategy, old bool values included). */
export function cascadeStrategy(flags: FlagValues): 'Background' | 'Foreground' | 'Orphan' {
  const v = flags.get('cascade');
  const s = typeof v === 'string' ? v : 'background';
  switch (s) {
    case 'background':
    case 'true':
      return 'Background';
    case 'foreground':
      return 'Foreground';
    case 'orphan':
    case 'false':
      return 'Orphan';
    default:
      throw new CliError(`invalid cascade value (${s}). Must be "background", "foreground", or "orphan".`);
  }
}
