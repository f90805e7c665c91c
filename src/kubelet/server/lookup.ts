/** Finds the runtime container behind `<namespace>/<pod>/<container>` for the kubelet API. */
import type { ContainerRuntime, ContainerStatus } from '../runtime/types.ts';

/** A container could not be found; `code` is the HTTP status to answer. */
export class LookupError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** The runtime container serving `<ns>/<pod>/<container>` (the newest attempt, or the one before with `previous`). */
export async function findContainer(runtime: ContainerRuntime, namespace: string, pod: string, container: string, previous: boolean): Promise<ContainerStatus> {
  const sandboxes = (await runtime.listPodSandboxes()).filter((s) => s.metadata.namespace === namespace && s.metadata.name === pod).sort((a, b) => b.createdAt - a.createdAt);
  if (sandboxes.length === 0) {
    throw new LookupError(404, `pod "${pod}" in namespace "${namespace}" not found`);
  }
  const attempts: ContainerStatus[] = [];
  for (const sb of sandboxes) {
    attempts.push(...(await runtime.listContainers({ sandboxId: sb.id })).filter((c) => c.metadata.name === container));
  }
  attempts.sort((a, b) => b.createdAt - a.createdAt);
  const pick = previous ? attempts[1] : attempts[0];
  if (pick === undefined) {
    throw new LookupError(400, previous
      ? `previous terminated container "${container}" in pod "${pod}" not found`
      : `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`);
  }
  return pick;
}
