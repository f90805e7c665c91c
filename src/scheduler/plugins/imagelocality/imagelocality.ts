/**
 * ImageLocality: prefers nodes that already hold the pod's images, weighted by image size and
 * by how widely the image is spread (upstream's scaledImageScore), clamped to 23 MB..1000 MB per container.
 */
import { Code, MAX_NODE_SCORE, status } from '../../framework/interface.ts';
import type { CycleState, Handle, MaybeStatus, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { RPod } from '../../types.ts';

export const Name = 'ImageLocality';

const mb = 1024 * 1024;
const minThreshold = 23 * mb;
const maxContainerThreshold = 1000 * mb;

interface State {
  readonly images: readonly string[];
  readonly spread: ReadonlyMap<string, number>;
  readonly totalNodes: number;
}

/** Upstream's normalizedImageName: add ':latest' when no tag or digest is given. */
export function normalizedImageName(name: string): string {
  const lastSlash = name.lastIndexOf('/');
  const tail = name.slice(lastSlash + 1);
  if (!tail.includes(':') && !tail.includes('@')) {
    return `${name}:latest`;
  }
  return name;
}

/** Builds the plugin. */
export function newImageLocality(): PreScorePlugin & ScorePlugin {
  return {
    name: Name,
    preScore(state: CycleState, pod: RPod, _nodes: readonly NodeInfo[], handle: Handle): MaybeStatus {
      const images: string[] = [];
      for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
        if (c.image !== undefined && c.image !== '') {
          images.push(normalizedImageName(c.image));
        }
      }
      const spread = new Map<string, number>();
      let anywhere = false;
      for (const img of images) {
        const n = handle.imageNodeCount(img);
        spread.set(img, n);
        anywhere ||= n > 0;
      }
      if (!anywhere) {
        // No node holds any of the pod's images: every node would score 0, as if skipped.
        return status(Code.Skip);
      }
      state.write(Name, { images, spread, totalNodes: handle.nodes().length } satisfies State);
      return undefined;
    },
    score(state: CycleState, _pod: RPod, node: NodeInfo): number {
      const s = state.read<State>(Name);
      if (s === undefined || s.images.length === 0 || node.images.size === 0) {
        return 0;
      }
      let sum = 0;
      for (const img of s.images) {
        const size = node.images.get(img);
        if (size !== undefined) {
          sum += size * ((s.spread.get(img) ?? 0) / Math.max(1, s.totalNodes));
        }
      }
      const maxThreshold = maxContainerThreshold * s.images.length;
      const clamped = Math.min(Math.max(sum, minThreshold), maxThreshold);
      return Math.floor((MAX_NODE_SCORE * (clamped - minThreshold)) / (maxThreshold - minThreshold));
    },
  } satisfies PreScorePlugin & ScorePlugin;
}
