/**
 * The man page bn.1, made from the commander program at build time (scripts/man-page.mjs): the
 * same descriptions, options and examples as `--help`, laid out in roff for man(1), so the two
 * cannot drift apart.
 */
import type { Command, Help } from 'commander';

/**
 * Text for roff: backslashes escaped, a line that would start with a control character guarded,
 * and every character beyond ASCII (μ, σ, √ …) as a \[uXXXX] escape, which every roff reads
 * whatever the locale.
 */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/[^\x00-\x7f]/gu, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`)
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

/** An option or command name as man pages print them: bold, with hyphens that copy as hyphens. */
const term = (text: string) => `.B ${roff(text).replace(/-/g, '\\-')}`;

/**
 * A command's help as `bn COMMAND --help` prints it, less what the help's first part (usage,
 * description, options) says: the examples and notes added after it.
 */
function textAfterHelp(cmd: Command): string {
  let full = '';
  const saved = cmd.configureOutput();
  cmd.configureOutput({ ...saved, writeOut: (s) => (full += s) });
  try {
    cmd.outputHelp();
    return full.slice(cmd.helpInformation().length).trim();
  } finally {
    cmd.configureOutput(saved);
  }
}

function examples(cmd: Command): string[] {
  const after = textAfterHelp(cmd);
  if (after === '') return [];
  const out: string[] = [];
  for (const block of after.split(/\n\s*\n/)) {
    const lines = block.split('\n');
    if (lines.every((l) => !/^\s{2}/.test(l))) {
      out.push('.PP', roff(lines.join(' ')));
    } else {
      out.push('.PP', roff(lines[0]!), '.PP', '.RS 4', '.nf', ...lines.slice(1).map((l) => roff(l.trim())), '.fi', '.RE');
    }
  }
  return out;
}

function options(help: Help, cmd: Command): string[] {
  return help.visibleOptions(cmd).flatMap((o) => ['.TP', term(help.optionTerm(o)), roff(help.optionDescription(o))]);
}

export function manPage(program: Command, version: string): string {
  const help = program.createHelp();
  const name = program.name();
  const commands = help.visibleCommands(program);
  const lines = [
    `.TH ${name.toUpperCase()} 1 "" "${name} ${version}" "User Commands"`,
    '.SH NAME',
    `${name} \\- ${roff(program.description().split(/[,:] /)[0]!)}`,
    '.SH SYNOPSIS',
    ...commands.map((c) => `${term(`${name} ${c.name()}`)}\n${roff(c.usage())}\n.br`),
    '.SH DESCRIPTION',
    roff(program.description()),
    '.SH OPTIONS',
    ...options(help, program),
    ...examples(program),
  ];
  lines.push('.SH COMMANDS');
  for (const cmd of commands) {
    lines.push(`.SS "${roff(`${name} ${cmd.name()} ${cmd.usage()}`)}"`, roff(help.commandDescription(cmd)), ...options(help, cmd), ...examples(cmd));
  }
  lines.push(
    '.SH EXIT STATUS',
    '.TP',
    '.B 0',
    'success',
    '.TP',
    '.B 1',
    'bad data or files: an invalid value, a ragged row, an unreadable input, an invalid stats file',
    '.TP',
    '.B 2',
    'bad usage: an unknown option, a bad option value',
    '.SH ENVIRONMENT',
    '.TP',
    '.B NO_COLOR',
    'set and not empty: no colour',
    '.TP',
    '.B FORCE_COLOR',
    'colour even into a pipe (0 or false: none)',
    '.TP',
    '.B COLUMNS',
    'the width the stats table fits on a terminal',
    '.TP',
    '.B BN_DEBUG',
    '1: a stack trace after an error message',
  );
  return `${lines.join('\n')}\n`;
}
