/**
 * The node lifecycle controller: watches node heartbeats (the node's Lease renewTime and its
 * Ready condition's lastHeartbeatTime, timed on our own clock); a node silent for longer than
 * --node-monitor-grace-period gets Unknown conditions and its pods are marked not ready; the
 * Ready status maps to `node.kubernetes.io/unreachable` / `not-ready` NoSchedule+NoExecute taints.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { isConflict, isNotFound } from '../../api/errors.ts';
import { EventType } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { pause, R } from '../manager/kit.ts';
import { canonicalJson } from '../deployment/util.ts';
import type { Pod } from '../replicaset/pods.ts';
import { desiredTaints, markUnknown, readyStatus } from './health.ts';
import type { Node } from './health.ts';

/** Upstream's registration name. */
export const Name = 'node-lifecycle-controller';

interface Lease extends KubeObject {
  spec?: { renewTime?: string; holderIdentity?: string };
}

function nowTime(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Factory for the registration table. */
export function nodeLifecycleControllerFactory(ctx: ControllerContext): Controller {
  const nodes = ctx.informers.informerFor<Node>(R.nodes);
  const leases = ctx.informers.informerFor<Lease>(R.leases);
  const pods = ctx.informers.informerFor<Pod>(R.pods);
  const recorder = ctx.recorder('node-controller');
  /** node → last heartbeat signature and when (our clock) it last changed. */
  const probes = new Map<string, { sig: string; at: number }>();

  const markPodsNotReady = async (nodeName: string): Promise<void> => {
    for (const p of pods.lister.list()) {
      if (p.spec?.nodeName !== nodeName) {
        continue;
      }
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready === undefined || ready.status === 'False') {
        continue;
      }
      const next = structuredClone(p) as Pod;
      for (const c of next.status?.conditions ?? []) {
        if (c.type === 'Ready') {
          c.status = 'False';
          c.lastTransitionTime = nowTime();
        }
      }
      await ctx.client.update({ ...R.pods, namespace: p.metadata.namespace, name: p.metadata.name, subresource: 'status' }, next).catch((e: unknown) => {
        if (!isNotFound(e) && !isConflict(e)) {
          throw e;
        }
      });
    }
  };

  const checkNode = async (node: DeepReadonly<Node>, now: number): Promise<void> => {
    const name = node.metadata.name ?? '';
    const lease = leases.lister.get('kube-node-lease', name);
    const hb = node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime ?? '';
    const sig = `${lease?.spec?.renewTime ?? ''}|${hb}`;
    const probe = probes.get(name);
    if (probe === undefined || probe.sig !== sig) {
      probes.set(name, { sig, at: now });
    }
    let current: DeepReadonly<Node> = node;
    const silentFor = now - (probes.get(name)?.at ?? now);
    if (silentFor > ctx.options.nodeMonitorGracePeriodMs) {
      const conds = markUnknown(node, nowTime());
      if (conds !== undefined) {
        const next = structuredClone(node) as Node;
        next.status = { ...next.status, conditions: conds };
        current = (await ctx.client.update<Node>({ ...R.nodes, name, subresource: 'status' }, next)) as DeepReadonly<Node>;
        ctx.logger('info', `${Name}: node ${name} hasn't been updated for ${Math.round(silentFor / 1000)}s; marking it Unknown`);
        recorder.event(node, EventType.Normal, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        await markPodsNotReady(name);
      }
    }
    const taints = desiredTaints(current, nowTime());
    const norm = (ts: readonly unknown[]): string => canonicalJson(ts);
    if (norm(taints) !== norm(current.spec?.taints ?? [])) {
      const next = structuredClone(current) as Node;
      next.spec = { ...next.spec, taints };
      if (taints.length === 0) {
        delete next.spec.taints;
      }
      await ctx.client.update({ ...R.nodes, name }, next);
      ctx.logger('info', `${Name}: node ${name} Ready=${readyStatus(current)}; taints now ${taints.map((t) => `${t.key}:${t.effect}`).join(',') || 'none'}`);
    }
  };

  return {
    run: async (_workers, signal) => {
      await Promise.all([nodes.waitForSync(signal), leases.waitForSync(signal), pods.waitForSync(signal)]);
      while (!signal.aborted) {
        const now = performance.now();
        const seen = new Set<string>();
        for (const node of nodes.lister.list()) {
          seen.add(node.metadata.name ?? '');
          try {
            await checkNode(node, now);
          } catch (e) {
            if (!isConflict(e) && !isNotFound(e)) {
              ctx.logger('warning', `${Name}: checking node ${node.metadata.name ?? ''}: ${(e as Error).message}`);
            }
          }
        }
        for (const n of probes.keys()) {
          if (!seen.has(n)) {
            probes.delete(n);
          }
        }
        await pause(ctx.options.nodeMonitorPeriodMs, signal);
      }
    },
  };
}
