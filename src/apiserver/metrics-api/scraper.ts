/**
 * metrics-server's scrape loop, inside the apiserver: every resolution (and once at start) each
 * Ready node with a real kubelet endpoint (`status.daemonEndpoints.kubeletEndpoint.Port` > 0
 * and an InternalIP) is asked for `/metrics/resource` over TLS with the apiserver's kubelet
 * client certificate, all nodes at once, and the round is stored. Nodes without an endpoint
 * are filtered out of the node list and cost no request; so are `k8ts sim-nodes` nodes, which
 * publish the default port and a 127.x address but run no kubelet (a real kubelet listening on
 * 0.0.0.0:10250 would otherwise answer for every one of them).
 */
import { request } from 'node:https';
import type { ClientRequest } from 'node:http';
import type { KubeObject } from '../../api/object.ts';
import type { Registry } from '../registry/types.ts';
import { decodeResourceMetrics } from './decode.ts';
import type { NodeBatch } from './decode.ts';
import type { MetricsStore } from './store.ts';

/** Where a node's kubelet listens. */
export interface KubeletTarget {
  readonly nodeName: string;
  readonly host: string;
  readonly port: number;
}

interface NodeStatusShape {
  addresses?: { type?: string; address?: string }[];
  daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  conditions?: { type?: string; status?: string }[];
  nodeInfo?: { containerRuntimeVersion?: string };
}

/** The node's kubelet address when it is Ready and has a real endpoint (simulated nodes publish port 0), else undefined. */
export function scrapeTarget(node: KubeObject): KubeletTarget | undefined {
  const status = node.status as NodeStatusShape | undefined;
  const port = status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  const host = status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const ready = status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  const name = node.metadata.name;
  return port > 0 && host !== undefined && host !== '' && ready && name !== undefined ? { nodeName: name, host, port } : undefined;
}

/** What the scraper needs. */
export interface ScraperOptions {
  readonly registry: Registry;
  readonly store: MetricsStore;
  readonly resolutionMs: number;
  /** The first round waits for this (the registry's readiness). */
  readonly ready: Promise<unknown>;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  readonly log: (message: string) => void;
}

/** A running scrape loop. */
export interface Scraper {
  /** Resolves after the next complete round has been stored (for tests and start-up). */
  nextRound(): Promise<void>;
  close(): void;
}

/** Starts scraping at once and then every resolution. */
export function startScraper(opts: ScraperOptions): Scraper {
  const timeoutMs = Math.min(10_000, Math.max(1000, opts.resolutionMs * 0.9));
  const inFlight = new Set<ClientRequest>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let waiters: (() => void)[] = [];

  const fetchText = (t: KubeletTarget): Promise<string> => new Promise((resolve, reject) => {
    const req = request({
      host: t.host, port: t.port, path: '/metrics/resource', method: 'GET', cert: opts.clientCertPem, key: opts.clientKeyPem,
      // As kubeletproxy: the kubelet's serving certificate comes from its own local CA.
      rejectUnauthorized: false, agent: false, timeout: timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`status ${res.statusCode ?? 0}`))));
      res.on('error', reject);
    });
    inFlight.add(req);
    req.on('close', () => inFlight.delete(req));
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });

  const round = async (): Promise<void> => {
    const desc = opts.registry.resolve('', 'v1', 'nodes');
    if (desc === undefined) {
      return;
    }
    const nodes = (await opts.registry.list(desc, undefined, {})).items;
    const targets = nodes.map(scrapeTarget).filter((t) => t !== undefined);
    const batches = new Map<string, NodeBatch>();
    await Promise.all(targets.map(async (t) => {
      try {
        const started = Date.now();
        batches.set(t.nodeName, decodeResourceMetrics(await fetchText(t), started));
      } catch (e) {
        if (!closed) {
          opts.log(`metrics: scraping node ${t.nodeName} (${t.host}:${t.port}): ${(e as Error).message}`);
        }
      }
    }));
    if (!closed) {
      opts.store.store(batches);
    }
  };

  const tick = (): void => {
    const started = Date.now();
    void round().catch((e: unknown) => {
      if (!closed) {
        opts.log(`metrics: scrape round: ${(e as Error).message}`);
      }
    }).finally(() => {
      const done = waiters;
      waiters = [];
      for (const w of done) {
        w();
      }
      if (!closed) {
        timer = setTimeout(tick, Math.max(0, opts.resolutionMs - (Date.now() - started)));
        timer.unref();
      }
    });
  };
  void opts.ready.then(() => {
    if (!closed) {
      tick();
    }
  }, () => undefined);

  return {
    nextRound: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close() {
      closed = true;
      clearTimeout(timer);
      for (const req of inFlight) {
        req.destroy();
      }
      const done = waiters;
      waiters = [];
      for (const w of done) {
        w();
      }
    },
  };
}
