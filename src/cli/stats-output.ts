/**
 * Writing a stats file: to FILE atomically, indented one key a line; or, for `-`, to standard
 * output on one line, so that the outputs of many mappers form a stream `bn merge -` reads and a
 * line-oriented shuffle (Hadoop Streaming) keeps each file whole.
 */
import { writeFileAtomic } from '../io/atomic-file.js';
import { OutputWriter } from '../io/output-writer.js';
import { statsFileJson, type StatsFile } from '../stats-file.js';
import type { Io } from './io.js';

export async function writeStatsFile(target: string, stats: StatsFile, io: Io): Promise<void> {
  if (target !== '-') return writeFileAtomic(target, statsFileJson(stats));
  const out = new OutputWriter(io.stdout);
  await out.write(statsFileJson(stats, { compact: true }));
  await out.flush();
}
