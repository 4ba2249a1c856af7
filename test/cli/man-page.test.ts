/**
 * The man page is the help in roff: every command and option of the program (one added later
 * too) with its description, the examples, and roff that groff reads without a warning.
 */
import { spawnSync } from 'node:child_process';
import { Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { manPage } from '../../src/cli/man-page.js';
import { quietProgram } from '../helpers/run-bn.js';

const program = quietProgram;
const hasGroff = spawnSync('groff', ['--version'], { stdio: 'ignore' }).status === 0;

/** The page as man shows it, as plain text (no bold by overstrike). */
function rendered(page: string): { text: string; warnings: string } {
  const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-P', '-cbou'], { input: page, encoding: 'utf8', env: { ...process.env, MANWIDTH: '200' } });
  return { text: r.stdout, warnings: r.stderr };
}

describe('bn.1', () => {
  it('has every command and every option of each, as the help words them', () => {
    const p = program();
    const page = manPage(p, '9.9.9');
    expect(page).toMatch(/^\.TH BN 1 "" "bn 9\.9\.9"/);
    const help = p.createHelp();
    for (const cmd of help.visibleCommands(p)) {
      expect(page).toContain(`.SS "bn ${cmd.name()} `);
      for (const option of help.visibleOptions(cmd)) expect(page, `${cmd.name()} ${option.flags}`).toContain(`.B ${help.optionTerm(option).replace(/-/g, '\\-')}`);
    }
  });

  it('has an option added to a command, with no other change', () => {
    const p = program();
    p.commands.find((c) => c.name() === 'normalize')!.addOption(new Option('--report-to <file>', 'where a report goes (default: nowhere)'));
    const page = manPage(p, '1.0.0');
    expect(page).toContain('.B \\-\\-report\\-to <file>\nwhere a report goes (default: nowhere)');
  });

  it.skipIf(!hasGroff)('reads in groff without a warning, with the examples verbatim (skipped without groff)', () => {
    const { text, warnings } = rendered(manPage(program(), '1.0.0'));
    expect(warnings).toBe('');
    expect(text).toMatch(/^ +\$ bn normalize train\.csv --save-stats s\.json -o train\.norm\.csv/m);
    expect(text).toContain('# y = 2·(x − μ_B)/√(σ_B² + ε) + 1');
    expect(text).toMatch(/EXIT STATUS[\s\S]*\b2\s+bad usage/);
  });
});
