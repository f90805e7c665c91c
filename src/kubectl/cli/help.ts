/** Help text in kubectl's templates: description, examples, options, usage line, the `kubectl options` hint. */
import type { FlagSpec, Verb } from '../command.ts';

function quoteDefault(spec: FlagSpec): string {
  const d = spec.default;
  switch (spec.type) {
    case 'bool':
      return String(d === true);
    case 'int':
      return String(typeof d === 'number' ? d : 0);
    case 'duration':
      return formatDuration(typeof d === 'number' ? d : 0);
    case 'stringArray':
    case 'stringSlice':
      return `[${Array.isArray(d) ? (d as readonly string[]).join(',') : ''}]`;
    default:
      return `'${typeof d === 'string' ? d : ''}'`;
  }
}

/** Go's Duration.String() for whole milliseconds: `0s`, `5s`, `1m30s`, `1h0m0s`, `300ms`. */
export function formatDuration(ms: number): string {
  if (ms === 0) {
    return '0s';
  }
  if (Math.abs(ms) < 1000) {
    return `${ms}ms`;
  }
  const neg = ms < 0 ? '-' : '';
  let rest = Math.abs(ms) / 1000;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  const s = `${Number(rest.toFixed(3))}s`;
  if (h > 0) {
    return `${neg}${h}h${m}m${s}`;
  }
  return m > 0 ? `${neg}${m}m${s}` : `${neg}${s}`;
}

/** The `Options:` block (flags sorted by long name, as cobra prints them); '' if none are visible. */
export function formatFlags(flags: readonly FlagSpec[]): string {
  const visible = flags.filter((f) => f.hidden !== true).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return visible.map((f) => `    ${f.short === undefined ? '' : `-${f.short}, `}--${f.name}=${quoteDefault(f)}:\n\t${f.usage}\n`).join('\n');
}

/** The usage line's command part: `kubectl <use>`, ` [flags]` where cobra adds it (see Verb.flagsInUseLine), then ` [options]`. */
export function usageLine(path: string, verb: Pick<Verb, 'use' | 'flagsInUseLine'>): string {
  // `use` starts with the verb's own name; the parent path (for sub-verbs) goes before it.
  const parent = path.split(' ').slice(0, -1).join(' ');
  const use = parent === '' ? verb.use : `${parent} ${verb.use}`;
  // Every command has flags to cobra (the global ones are inherited), so only the opt-out matters.
  const withFlags = verb.flagsInUseLine === true && !use.includes('[flags]') ? `${use} [flags]` : use;
  // kubectl's templater appends ` [options]` unless the line already says it.
  return withFlags.includes('[options]') ? `kubectl ${withFlags}` : `kubectl ${withFlags} [options]`;
}

/** The whole `kubectl <path> --help` text. */
export function formatHelp(path: string, verb: Verb, extra: { readonly availableCommands?: string } = {}): string {
  let out = `${verb.long ?? verb.short}\n\n`;
  if (extra.availableCommands !== undefined) {
    out += `Available Commands:\n${extra.availableCommands}\n`;
  }
  if (verb.example !== undefined && verb.example !== '') {
    out += `Examples:\n${verb.example}\n\n`;
  }
  const options = formatFlags(verb.flags);
  if (options !== '') {
    out += `Options:\n${options}\n`;
  }
  out += `Usage:\n  ${usageLine(path, verb)}\n\n`;
  out += 'Use "kubectl options" for a list of global command-line options (applies to all commands).\n';
  return out;
}
