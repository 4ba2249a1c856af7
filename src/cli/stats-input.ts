/**
 * Stats files named on the command line, `-` for standard input as everywhere in bn: `bn merge`
 * reads any number of them there, one after another; `--stats -` and `bn export -` read one.
 */
import type { Readable } from 'node:stream';
import { BnError, describeErrno } from '../errors.js';
import { readLimited } from '../io/read-limited.js';
import { decodeUtf8 } from '../io/utf8.js';
import { MAX_STATS_FILE_BYTES, parseStatsFile, readStatsFile, statsFileTooLarge, type LoadedStats } from '../stats-file.js';

export const STDIN_LABEL = '<stdin>';

/** The text of standard input, as stats files are read: at most MAX_STATS_FILE_BYTES of UTF-8. */
export async function readStatsText(stream: Readable): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readLimited(stream as AsyncIterable<Buffer>, MAX_STATS_FILE_BYTES, () => statsFileTooLarge(STDIN_LABEL));
  } catch (err) {
    if (err instanceof BnError) throw err;
    throw new BnError('BN_READ_FAILED', `cannot read: ${describeErrno(err as NodeJS.ErrnoException)}`, { file: STDIN_LABEL });
  }
  return decodeUtf8(bytes, STDIN_LABEL);
}

/**
 * One stats file: `path`, or standard input for `-` (refused when the data is read from there
 * too: `option` names the flag in the message). Its label, for messages, comes with it.
 */
export async function readStatsArgument(path: string, stdin: Readable, option: string, dataOnStdin = false): Promise<{ loaded: LoadedStats; label: string }> {
  if (path !== '-') return { loaded: await readStatsFile(path), label: path };
  if (dataOnStdin) throw new BnError('BN_USAGE', `${option} -: standard input holds the data; name the stats file, or the data file`);
  return { loaded: parseStatsFile(await readStatsText(stdin), STDIN_LABEL), label: STDIN_LABEL };
}
