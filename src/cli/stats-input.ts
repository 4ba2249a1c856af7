/**
 * Stats files named on the command line, `-` for standard input as everywhere in bn: `bn merge`
 * reads any number of them there, one after another; `--stats -` and `bn export -` read one.
 */
import type { Readable } from 'node:stream';
import { BnError } from '../errors.js';
import { parseStatsFile, readStatsFile, readStatsText, type LoadedStats } from '../stats-file.js';

export const STDIN_LABEL = '<stdin>';

/**
 * One stats file: `path`, or standard input for `-` (refused when the data is read from there
 * too: `option` names the flag in the message). Its label, for messages, comes with it.
 */
export async function readStatsArgument(path: string, stdin: Readable, option: string, dataOnStdin = false): Promise<{ loaded: LoadedStats; label: string }> {
  if (path !== '-') return { loaded: await readStatsFile(path), label: path };
  if (dataOnStdin) throw new BnError('BN_USAGE', `${option} -: standard input holds the data; name the stats file, or the data file`);
  return { loaded: parseStatsFile(await readStatsText(stdin, STDIN_LABEL), STDIN_LABEL), label: STDIN_LABEL };
}
