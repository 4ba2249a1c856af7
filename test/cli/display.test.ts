/** When bn uses colour (display.ts): --no-color, FORCE_COLOR, NO_COLOR, a terminal, TERM=dumb. */
import { describe, expect, it } from 'vitest';
import { colorLevel } from '../../src/cli/display.js';

describe('colorLevel', () => {
  it.each([
    ['a terminal', true, {}, true, 1],
    ['a pipe', false, {}, true, 0],
    ['--no-color on a terminal', true, {}, false, 0],
    ['--no-color over FORCE_COLOR', true, { FORCE_COLOR: '3' }, false, 0],
    ['NO_COLOR on a terminal', true, { NO_COLOR: '1' }, true, 0],
    ['an empty NO_COLOR (ignored, as no-color.org says)', true, { NO_COLOR: '' }, true, 1],
    ['FORCE_COLOR into a pipe', false, { FORCE_COLOR: '1' }, true, 1],
    ['FORCE_COLOR empty', false, { FORCE_COLOR: '' }, true, 1],
    ['FORCE_COLOR=true', false, { FORCE_COLOR: 'true' }, true, 1],
    ['FORCE_COLOR=2', false, { FORCE_COLOR: '2' }, true, 2],
    ['FORCE_COLOR=3', false, { FORCE_COLOR: '3' }, true, 3],
    ['FORCE_COLOR=0 on a terminal', true, { FORCE_COLOR: '0' }, true, 0],
    ['FORCE_COLOR=false on a terminal', true, { FORCE_COLOR: 'false' }, true, 0],
    ['FORCE_COLOR over NO_COLOR (as Node does)', false, { FORCE_COLOR: '1', NO_COLOR: '1' }, true, 1],
    ['FORCE_COLOR=yes (not a level: ignored)', false, { FORCE_COLOR: 'yes' }, true, 0],
    ['TERM=dumb on a terminal', true, { TERM: 'dumb' }, true, 0],
  ])('%s', (_what, isTerminal, env: Record<string, string>, allowed, level) => {
    expect(colorLevel(isTerminal, env, allowed)).toBe(level);
  });
});
