/**
 * The CLI entry: parse argv, run the command, and turn every outcome into an exit status
 * (SPEC §6: 0 success, 1 bad data or files, 2 bad usage). Only bin/bn touches `process`.
 */
import { BnError, isClosedPipe } from '../errors.js';
import type { Io } from './io.js';
import { stopProgressBars } from './progress.js';
import { versionLine } from './version.js';

export async function run(argv: readonly string[], io: Io): Promise<number> {
  // `bn --version` alone is answered before commander and the commands are loaded (a dynamic
  // import below): it then costs little more than starting Node. Commander prints the same line.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${versionLine(process.version)}\n`);
    return 0;
  }
  const { buildProgram, CommanderError } = await import('./program.js');
  const program = buildProgram(io);
  // `bn help nosuch` says what `bn nosuch` says, one line (commander would print the whole help).
  const unknownHelp = argv[0] === 'help' && argv.length === 2 && !program.commands.some((c) => c.name() === argv[1]);
  try {
    await program.parseAsync(unknownHelp ? [argv[1]!] : [...argv], { from: 'user' });
    return 0;
  } catch (err) {
    stopProgressBars(); // the commands stop theirs; this is the guarantee: no bar under a message
    return report(err, io, CommanderError);
  }
}

function report(err: unknown, io: Io, CommanderError: typeof import('commander').CommanderError): number {
  if (err instanceof CommanderError) {
    // Help and version "errors" are successes; commander has already printed the message.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (isClosedPipe(err)) return 0; // `bn normalize big.csv | head`: the reader left, we are done
  if (err instanceof BnError) {
    io.stderr.write(`bn: ${err.describe()}\n`);
    if (io.env.BN_DEBUG === '1') io.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`bn: internal error: ${message} (run with BN_DEBUG=1 for details)\n`);
  if (io.env.BN_DEBUG === '1' && err instanceof Error) io.stderr.write(`${err.stack}\n`);
  return 1;
}
