/**
 * The flags users of Miller, csvkit and qsv type out of habit, and the bn spelling to answer them
 * with: `bn: unknown option '--ojson' (bn writes JSON with --to json)`. Commander's own
 * "did you mean" would offer the nearest bn flag by spelling (--json → --jobs), which is wrong here.
 */

/** Miller's format letters in --c2j and the like, with bn's names. */
const LETTERS: Record<string, string> = { c: 'csv', t: 'tsv', j: 'json', l: 'ndjson' };
const FORMATS = ['csv', 'tsv', 'json', 'ndjson', 'jsonl'];

const upper = (format: string) => (format === 'jsonl' ? 'JSON Lines' : format.toUpperCase());

const HINTS: Record<string, string> = {
  '-v': 'bn prints its version with -V/--version',
  '--ifs': 'bn reads another field delimiter with -d CHAR',
  '--fs': 'bn reads another field delimiter with -d CHAR, and writes one with --output-delimiter CHAR',
  '--ips': 'bn reads another field delimiter with -d CHAR',
  '-t': 'bn reads tab-separated input with --from tsv, or -d tab',
  '--tabs': 'bn reads tab-separated input with --from tsv, or -d tab',
  '-T': 'bn writes tab-separated output with --to tsv',
  '--out-tabs': 'bn writes tab-separated output with --to tsv',
  '-D': 'bn writes another field delimiter with --output-delimiter CHAR',
  '--out-delimiter': 'bn writes another field delimiter with --output-delimiter CHAR',
  '-H': 'bn reads input without a header row with -n/--no-header',
  '--no-header-row': 'bn reads input without a header row with -n/--no-header',
  '--no-headers': 'bn reads input without a header row with -n/--no-header',
  '--implicit-csv-header': 'bn reads input without a header row with -n/--no-header',
  '--hi': 'bn reads input without a header row with -n/--no-header',
  '--headerless-csv-output': 'bn always writes the header row',
  '--ho': 'bn always writes the header row',
  '-c': 'bn picks columns with -s/--select',
  '--columns': 'bn picks columns with -s/--select',
  '-f': 'bn picks columns with -s/--select',
  '--fields': 'bn picks columns with -s/--select',
};

/** The bn spelling of a neighbouring tool's flag (`--ojson`, `--c2j`, `-t`), or undefined. */
export function optionHint(flag: string): string | undefined {
  const bare = flag.replace(/=.*$/, '');
  if (HINTS[bare]) return HINTS[bare];
  const io = /^--([io])(csv|tsv|json|ndjson|jsonl)$/.exec(bare);
  if (io) return io[1] === 'i' ? `bn reads ${upper(io[2]!)} with --from ${io[2]}` : `bn writes ${upper(io[2]!)} with --to ${io[2]}`;
  if (FORMATS.includes(bare.slice(2)) && bare.startsWith('--')) {
    const format = bare.slice(2);
    return `bn reads ${upper(format)} with --from ${format} and writes it with --to ${format}`;
  }
  const pair = /^--([a-z])2([a-z])$/.exec(bare);
  if (pair && LETTERS[pair[1]!] && LETTERS[pair[2]!]) {
    const [from, to] = [LETTERS[pair[1]!]!, LETTERS[pair[2]!]!];
    return `bn reads ${upper(from)} and writes ${upper(to)} with --from ${from} --to ${to}`;
  }
  return undefined;
}
