/** What every `k8ts` component's entry point shares: options-or-usage, and stopping on SIGTERM/SIGINT. */
import { FlagError, formatUsage } from './flags.ts';
import type { FlagSpecs } from './flags.ts';

/**
 * Runs `parse` (which returns undefined for --help). On --help prints the usage and gives exit 0;
 * on a FlagError prints `Error: …` with the usage and gives exit 1; otherwise gives the options.
 */
export async function optionsOrExit<T>(parse: () => T | undefined | Promise<T | undefined>, usageLine: string, specs: FlagSpecs): Promise<{ readonly options: T } | { readonly exit: number }> {
  let options: T | undefined;
  try {
    options = await parse();
  } catch (e) {
    if (e instanceof FlagError) {
      process.stderr.write(`Error: ${e.message}\n\n${formatUsage(usageLine, specs)}`);
      return { exit: 1 };
    }
    throw e;
  }
  if (options === undefined) {
    process.stdout.write(formatUsage(usageLine, specs));
    return { exit: 0 };
  }
  return { options };
}

/** An AbortSignal that fires on the first SIGTERM or SIGINT, logging `<component>: SIG received, shutting down`. */
export function abortOnSignal(component: string): AbortSignal {
  const abort = new AbortController();
  const stop = (sig: NodeJS.Signals): void => {
    process.stderr.write(`${component}: ${sig} received, shutting down\n`);
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    abort.abort();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return abort.signal;
}

/** Resolves on the first SIGTERM or SIGINT (see abortOnSignal). */
export function untilSignal(component: string): Promise<void> {
  const signal = abortOnSignal(component);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
