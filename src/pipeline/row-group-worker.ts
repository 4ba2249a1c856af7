/**
 * A worker thread of a Parquet statistics pass (./row-group-workers.ts): opens the file, and for
 * each row group it is handed, posts back the group's exact Moments of the feature columns (the
 * engine's own sums: the same bits, whichever thread read which group).
 */
import { parentPort } from 'node:worker_threads';
import { Moments } from '../engine/moments.js';
import { BnError } from '../errors.js';
import { openParquet } from '../io/parquet-reader.js';
import type { RowGroupRequest, RowGroupResult } from './row-group-workers.js';

type Source = Awaited<ReturnType<typeof openParquet>>;
let source: Promise<Source> | undefined;
let setup: Extract<RowGroupRequest, { path: string }> | undefined;

const post = (result: RowGroupResult) => parentPort!.postMessage(result);

parentPort!.on('message', (message: RowGroupRequest | null) => {
  if (message === null) {
    void source?.then((s) => s.close()).catch(() => {});
    parentPort!.close();
    return;
  }
  if ('path' in message) {
    setup = message;
    source = openParquet(message.path, message.label);
    source.catch(() => {}); // said when a group is asked for
    return;
  }
  void readGroup(message.group).then(post, (err: unknown) =>
    post({ group: message.group, error: err instanceof BnError ? { code: err.code, message: err.message, location: err.location } : { message: String(err) } }),
  );
});

async function readGroup(group: number): Promise<RowGroupResult> {
  const { width, features } = setup!;
  // The group's Moments are taken before the next group is read: its memory may be reused.
  const block = await (await source!).readGroup(group, 'until-next', features);
  const moments = new Moments(width);
  if (block) for (const j of features) moments.addColumn(j, block.numbers(j), block.rows);
  return { group, rows: block?.rows ?? 0, moments: moments.toText(features) };
}
