/** Typed reads of parsed flag values (the dispatcher fills defaults; these only narrow). */
import type { FlagValues, KubectlContext } from '../command.ts';
import { CliError } from '../command.ts';

/** A string flag ('' when unset). */
export function stringFlag(flags: FlagValues, name: string): string {
  const v = flags.get(name);
  return typeof v === 'string' ? v : v === undefined ? '' : String(v);
}

/** A bool flag (false when unset). */
export function boolFlag(flags: FlagValues, name: string): boolean {
  const v = flags.get(name);
  return v === true || v === 'true';
}

/** An int or duration (ms) flag, or `fallback` when unset. */
export function numberFlag(flags: FlagValues, name: string, fallback: number): number {
  const v = flags.get(name);
  if (typeof v === 'number') {
    return v;
  }
  if (typeof v === 'string' && v !== '' && Number.isFinite(Number(v))) {
    return Number(v);
  }
  return fallback;
}

/** A stringArray flag (empty when unset). */
export function arrayFlag(flags: FlagValues, name: string): readonly string[] {
  const v = flags.get(name);
  return Array.isArray(v) ? (v as readonly string[]) : typeof v === 'string' && v !== '' ? [v] : [];
}

/** cobra's usage error: `<message>\nSee 'kubectl <verb> -h' for help and examples`. */
export function usageError(commandPath: string, message: string): CliError {
  return new CliError(`${message}\nSee '${commandPath} -h' for help and examples`);
}

/** Splits args at cobra's `--` (ArgsLenAtDash, reported by the dispatcher as `ctx.dashAt`); -1 when absent. */
export function splitAtDash(ctx: KubectlContext, args: readonly string[]): { readonly before: readonly string[]; readonly after: readonly string[]; readonly lenAtDash: number } {
  const reported = ctx.dashAt;
  if (reported !== undefined && reported >= 0) {
    return { before: args.slice(0, reported), after: args.slice(reported), lenAtDash: reported };
  }
  return { before: args, after: [], lenAtDash: -1 };
}

/** True when the user set the flag on the command line (cobra's `Flags().Changed`). */
export function flagChanged(ctx: KubectlContext, name: string): boolean {
  return ctx.changed?.has(name) === true;
}
