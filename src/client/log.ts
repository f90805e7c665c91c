/** A minimal logger hook for the client machinery: components pass their own, tests can silence it. */

/** Receives one line of diagnostic text; `level` follows klog's rough split. */
export type ClientLogger = (level: 'info' | 'warning' | 'error', message: string) => void;

/** Writes to stderr with a level prefix (the default for every client piece). */
export const stderrLogger: ClientLogger = (level, message) => {
  process.stderr.write(`${level[0].toUpperCase()} ${new Date().toISOString()} ${message}\n`);
};

/** Drops everything (for tests that provoke errors on purpose). */
export const silentLogger: ClientLogger = () => {};
