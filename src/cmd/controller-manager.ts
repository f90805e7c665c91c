/** `k8ts controller-manager`: kube-controller-manager's flags → runControllerManager(); SIGTERM/SIGINT stop it cleanly. */
import { FlagError, formatUsage } from './flags.ts';
import { controllerManagerFlags, controllerManagerOptions } from '../controllers/manager/options.ts';

const usageLine = 'Usage: k8ts controller-manager [flags]\n\nThe Kubernetes controller manager: runs the core control loops (deployments, replica sets, garbage collection, namespaces, nodes, ...).';

/** Entry point: runs until SIGTERM/SIGINT (0) or until leadership is lost (1). */
export async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = controllerManagerOptions(argv);
  } catch (e) {
    if (e instanceof FlagError) {
      process.stderr.write(`Error: ${e.message}\n\n${formatUsage(usageLine, controllerManagerFlags)}`);
      return 1;
    }
    throw e;
  }
  if (opts === undefined) {
    process.stdout.write(formatUsage(usageLine, controllerManagerFlags));
    return 0;
  }
  const { runControllerManager } = await import('../controllers/manager/manager.ts');
  const abort = new AbortController();
  const stop = (sig: NodeJS.Signals): void => {
    process.stderr.write(`controller-manager: ${sig} received, shutting down\n`);
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    abort.abort();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return runControllerManager(opts, abort.signal);
}
