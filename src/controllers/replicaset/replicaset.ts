/** The ReplicaSet controller: the shared replica controller for apps/v1 ReplicaSets. */
import { labelSelectorFromMeta } from '../../api/selectors/index.ts';
import type { LabelSelectorMeta } from '../../api/selectors/index.ts';
import { R } from '../manager/kit.ts';
import { replicaControllerFactory } from './controller.ts';

/** Upstream's registration name. */
export const Name = 'replicaset-controller';

/** Factory for the registration table. */
export const replicaSetControllerFactory = replicaControllerFactory({
  resource: R.replicasets,
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  component: 'replicaset-controller',
  queueName: 'replicaset',
  selector: (o) => labelSelectorFromMeta(o.spec?.selector as LabelSelectorMeta | undefined),
});
