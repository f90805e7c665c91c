/** The ReplicationController controller: the shared replica controller for v1 ReplicationControllers (map selectors). */
import { labelSelectorFromSet, nothing } from '../../api/selectors/index.ts';
import { R } from '../manager/kit.ts';
import { replicaControllerFactory } from '../replicaset/controller.ts';

/** Upstream's registration name. */
export const Name = 'replicationcontroller-controller';

/** Factory for the registration table. */
export const replicationControllerFactory = replicaControllerFactory({
  resource: R.replicationcontrollers,
  apiVersion: 'v1',
  kind: 'ReplicationController',
  component: 'replication-controller',
  queueName: 'replicationmanager',
  // An RC with an empty selector selects nothing (defaulting copies the template labels in).
  selector: (o) => {
    const sel = o.spec?.selector as Readonly<Record<string, string>> | undefined;
    return sel === undefined || Object.keys(sel).length === 0 ? nothing : labelSelectorFromSet(sel);
  },
});
