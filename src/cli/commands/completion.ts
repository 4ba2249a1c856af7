import { Argument, Command } from 'commander';
import { OutputWriter } from '../../io/output-writer.js';
import { completionScript, SHELLS, type Shell } from '../completion.js';
import type { Io } from '../io.js';

export function completionCommand(io: Io): Command {
  return new Command('completion')
    .summary('print a completion script for bash, zsh or fish')
    .description(
      'Print a script that completes bn\'s commands, options, formats, presets and file names in SHELL. ' +
        'It is made from the same definitions as this help, so it completes what this version of bn has. ' +
        'For every new shell, save it where the shell looks: for bash ~/.local/share/bash-completion/completions/bn, ' +
        'for zsh a folder of $fpath as _bn, for fish ~/.config/fish/completions/bn.fish.',
    )
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  $ source <(bn completion bash)           # completion in this bash
  $ bn completion zsh > _bn                # the file for a folder of $fpath
  $ bn completion fish > bn.fish           # the file for ~/.config/fish/completions`,
    )
    .action(async (shell: Shell, _flags: unknown, command: Command) => {
      const out = new OutputWriter(io.stdout);
      await out.write(completionScript(command.parent!, shell));
      await out.flush();
    });
}
