/**
 * Named network namespaces under /run/netns, made and removed with iproute2 (`ip netns`), so
 * they persist without a process in them and other tools (and a restarted kubelet) see them.
 */
import { stat } from 'node:fs/promises';
import { mustRun, runCommand } from '../runtime/command.ts';

/** The bind-mount path of a named netns. */
export function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}

/** Whether a named netns exists. */
export async function netnsExists(name: string): Promise<boolean> {
  return stat(netnsPath(name)).then(() => true, () => false);
}

/** Creates a named netns (idempotent) and returns its path. */
export async function createNetns(name: string): Promise<string> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
    throw new Error(`invalid netns name ${name}`);
  }
  if (!(await netnsExists(name))) {
    await mustRun('ip', ['netns', 'add', name]);
  }
  return netnsPath(name);
}

/** Deletes a named netns (idempotent); its veth ends and netfilter state go with it. */
export async function deleteNetns(name: string): Promise<void> {
  if (!(await netnsExists(name))) {
    return;
  }
  const result = await runCommand('ip', ['netns', 'delete', name]);
  if (result.code !== 0 && (await netnsExists(name))) {
    throw new Error(`ip netns delete ${name}: ${result.stderr.trim()}`);
  }
}
