/** The serviceaccount controller: every active namespace has a `default` ServiceAccount (recreated if deleted). */
import type { KubeObject } from '../../api/object.ts';
import { isAlreadyExists, isNotFound } from '../../api/errors.ts';
import { WorkQueue } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { R, runQueue, unwrap } from '../manager/kit.ts';

/** Upstream's registration name. */
export const Name = 'serviceaccount-controller';

/** The accounts ensured in every namespace (upstream's default list). */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'] as const;

interface Namespace extends KubeObject {
  status?: { phase?: string };
}

/** Factory for the registration table. */
export function serviceAccountControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'serviceaccount' });
  const namespaces = ctx.informers.informerFor<Namespace>(R.namespaces);
  const accounts = ctx.informers.informerFor(R.serviceaccounts);
  namespaces.addEventHandler({ onAdd: (ns) => queue.add(ns.metadata.name ?? ''), onUpdate: (_o, ns) => queue.add(ns.metadata.name ?? '') });
  accounts.addEventHandler({ onDelete: (sa) => queue.add(unwrap(sa).metadata.namespace ?? '') });

  const sync = async (name: string): Promise<void> => {
    const ns = namespaces.lister.get('', name);
    if (ns === undefined || ns.metadata.deletionTimestamp !== undefined || ns.status?.phase === 'Terminating') {
      return;
    }
    for (const sa of DEFAULT_SERVICE_ACCOUNTS) {
      if (accounts.lister.get(name, sa) !== undefined) {
        continue;
      }
      try {
        await ctx.client.create({ ...R.serviceaccounts, namespace: name }, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa } });
      } catch (e) {
        // AlreadyExists: our cache lags; NotFound/Forbidden while the namespace terminates: nothing to do.
        if (!isAlreadyExists(e) && !isNotFound(e) && !/being terminated/.test((e as Error).message)) {
          throw e;
        }
      }
    }
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([namespaces.waitForSync(signal), accounts.waitForSync(signal)]);
      await runQueue(queue, workers, signal, sync, ctx.logger);
    },
  };
}
