/**
 * `kubectl get -w` / `--watch-only`: the initial list (unless watch-only), then one watch on the
 * collection from the list's resourceVersion, each event's Table rows printed under the same
 * (remembered-width) columns; ends when the server closes the watch, like kubectl.
 */
import type { RestClient } from '../../client/rest.ts';
import { pathFor } from '../../client/paths.ts';
import { statusToError } from '../../client/status.ts';
import { CliError } from '../command.ts';
import type { FlagValues, KubectlContext } from '../command.ts';
import { arrayFlag, boolFlag, stringFlag } from '../cli/flags.ts';
import { formatObjects } from '../printers/index.ts';
import type { OutputFormat } from '../printers/index.ts';
import { isTable, TablePrinter } from '../printers/table.ts';
import type { Table } from '../printers/table.ts';
import type { ResourceInfo } from './builder.ts';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

/** Lists (unless --watch-only) and then watches the one resource type in `infos`; resolves with the exit code. */
export async function watchResources(ctx: KubectlContext, client: RestClient, infos: readonly ResourceInfo[], flags: FlagValues, out: OutputFormat, withKind: boolean): Promise<number> {
  const types = new Set(infos.map((i) => `${i.mapping.group}/${i.mapping.resource}`));
  if (types.size !== 1 || infos.filter((i) => i.name !== undefined).length > 1) {
    throw new CliError('watch is only supported on individual resources and resource collections, but 2 resources were found.'.replace('2', String(infos.length)));
  }
  const info = infos[0];
  const tableMode = out.format === '' || out.format === 'wide';
  const accept = tableMode ? TABLE_ACCEPT : 'application/json';
  const ref = { group: info.mapping.group, version: info.mapping.version, resource: info.mapping.resource, namespace: info.namespace };
  const printer = new TablePrinter({
    wide: out.format === 'wide',
    withNamespace: boolFlag(flags, 'all-namespaces'),
    noHeaders: boolFlag(flags, 'no-headers'),
    showLabels: boolFlag(flags, 'show-labels'),
    labelColumns: arrayFlag(flags, 'label-columns'),
    kindPrefix: withKind ? (info.mapping.group === '' ? info.mapping.kind.toLowerCase() : `${info.mapping.kind.toLowerCase()}.${info.mapping.group}`) : undefined,
  });
  const selector = stringFlag(flags, 'selector');
  const fieldSelector = info.name !== undefined ? `metadata.name=${info.name}` : stringFlag(flags, 'field-selector');
  const print = async (body: unknown): Promise<void> => {
    if (isTable(body) || (tableMode && typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Table')) {
      ctx.stdout.write(printer.add(body as Table));
      return;
    }
    ctx.stdout.write(await formatObjects([body as Record<string, unknown>], out, flags, true));
  };

  const { requestTimeoutMs } = await import('../config/clientcmd.ts');
  const timeoutSeconds = Math.ceil(requestTimeoutMs(stringFlag(ctx.globals, 'request-timeout')) / 1000);
  let resourceVersion = '0';
  // --watch-only lists too (for the resourceVersion and the columns) but prints nothing of it.
  const watchOnly = boolFlag(flags, 'watch-only');
  const body: unknown = await client.request({
    method: 'GET',
    path: pathFor({ ...ref, name: info.name }),
    accept,
    query: info.name === undefined ? { ...(selector !== '' ? { labelSelector: selector } : {}), ...(fieldSelector !== '' ? { fieldSelector } : {}) } : {},
  });
  const rec = body as Record<string, unknown>;
  const meta = rec.metadata as { resourceVersion?: string } | undefined;
  if (isTable(body)) {
    const rows = body.rows ?? [];
    const rowMeta = info.name !== undefined ? (rows[0]?.object?.metadata as { resourceVersion?: string } | undefined) : undefined;
    resourceVersion = rowMeta?.resourceVersion ?? meta?.resourceVersion ?? '0';
    if (rows.length === 0 && info.name === undefined && !watchOnly) {
      ctx.stderr.write(info.mapping.namespaced && !boolFlag(flags, 'all-namespaces') ? `No resources found in ${info.namespace} namespace.\n` : 'No resources found\n');
    }
    await print(watchOnly ? { ...body, rows: [] } : body);
  } else if (info.name === undefined && Array.isArray(rec.items)) {
    resourceVersion = meta?.resourceVersion ?? '0';
    for (const item of rec.items as Record<string, unknown>[]) {
      if (!watchOnly) {
        await print({ apiVersion: rec.apiVersion, kind: info.mapping.kind, ...item });
      }
    }
  } else {
    resourceVersion = meta?.resourceVersion ?? '0';
    if (!watchOnly) {
      await print(body);
    }
  }
  const res = await client.stream({
    method: 'GET',
    path: pathFor(ref),
    accept,
    query: {
      ...(selector !== '' ? { labelSelector: selector } : {}),
      ...(fieldSelector !== '' ? { fieldSelector } : {}),
      resourceVersion,
      watch: 'true',
      // --request-timeout bounds the watch too: the server ends it, and kubectl exits 0.
      ...(timeoutSeconds > 0 ? { timeoutSeconds } : {}),
    },
  });
  const { decodeWatchEvents } = await import('../../client/watch.ts');
  for await (const ev of decodeWatchEvents(res)) {
    if ((ev.type as string) === 'ERROR') {
      throw statusToError(ev.object);
    }
    if (ev.type === 'BOOKMARK') {
      continue;
    }
    await print(ev.object);
  }
  return 0;
}
