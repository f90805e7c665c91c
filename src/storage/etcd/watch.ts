/**
 * One storage watch over an etcd watch stream. Any stream trouble ends the watch with an
 * error instead of a silent resume: the etcd3 client would resume from the stream header's
 * revision, which can skip events, while callers re-watching from their last revision cannot.
 */
import type { Etcd3, IEvent, IWatchResponse, Watcher } from 'etcd3';
import { StorageError, StorageErrorCode } from '../interface.ts';
import type { StorageError as StorageErrorType, WatchCallbacks, WatchEvent, WatchHandle } from '../interface.ts';
import { fromEtcd, int } from './codec.ts';

/** What the watch needs from its store to explain failures. */
export interface WatchErrorMapper {
  mapError(err: unknown): Promise<StorageErrorType>;
  compactedRevision(): Promise<number>;
}

function toEvent(ev: IEvent): WatchEvent {
  const kv = fromEtcd(ev.kv);
  const prev = ev.prev_kv ? fromEtcd(ev.prev_kv) : undefined;
  if (ev.type === 'Delete') {
    // etcd always sends prev_kv when asked unless that revision was compacted meanwhile;
    // then the best we know is the key itself.
    return { type: 'delete', key: kv.key, revision: kv.modRevision, prev: prev ?? { ...kv, value: '' } };
  }
  // A put with version 1 created the key: no previous value, as for the SQLite store.
  return { type: 'put', kv, prev: int(ev.kv.version) === 1 ? undefined : prev };
}

/** Starts an etcd watch delivering revisions > fromRevision under prefix. */
export function watchEtcd(client: Etcd3, prefix: string, fromRevision: number, cb: WatchCallbacks, errors: WatchErrorMapper): WatchHandle {
  let done = false;
  let watcher: Watcher | undefined;
  let delivered = fromRevision;

  const stop = (): void => {
    done = true;
    const w = watcher;
    watcher = undefined;
    // Swallow the cancel's own outcome: the stream may already be gone.
    w?.cancel().catch(() => undefined);
  };

  const fail = async (err: unknown): Promise<void> => {
    if (done) {
      return;
    }
    stop();
    let mapped = await errors.mapError(err);
    if (mapped.code !== StorageErrorCode.Compacted) {
      // A cancel with no reason is how etcd ends a watch whose start revision was compacted.
      const compacted = await errors.compactedRevision().catch(() => 0);
      if (delivered < compacted) {
        mapped = new StorageError(StorageErrorCode.Compacted, prefix, `required revision ${delivered} has been compacted`, compacted);
      }
    }
    try {
      cb.onError(mapped);
    } catch (cbErr) {
      process.emitWarning(`storage watch error callback threw: ${String(cbErr)}`);
    }
  };

  const onData = (res: IWatchResponse): void => {
    if (done) {
      return;
    }
    const events = res.events.map(toEvent).filter((e) => (e.type === 'put' ? e.kv.modRevision : e.revision) > delivered);
    if (events.length === 0) {
      return;
    }
    const last = events[events.length - 1];
    delivered = last.type === 'put' ? last.kv.modRevision : last.revision;
    try {
      cb.onEvents(events);
    } catch (err) {
      // A broken consumer must not take the client's watch stream down (the SQLite hub does the same).
      process.emitWarning(`storage watch callback threw: ${String(err)}`);
    }
  };

  client
    .watch()
    .prefix(prefix)
    .startRevision(String(fromRevision + 1))
    .withPreviousKV()
    .create()
    .then((w) => {
      if (done) {
        w.cancel().catch(() => undefined);
        return;
      }
      watcher = w;
      w.on('data', onData);
      w.on('error', (err) => void fail(err));
      w.on('disconnected', (err) => void fail(err));
    })
    .catch((err: unknown) => void fail(err));

  return { cancel: stop };
}
