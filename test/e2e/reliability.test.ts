/**
 * Hostile inputs that once crashed bn, made it hang or grow without bound, or gave an unclear
 * message: each is now one `bn: ` line and status 1, within bounds of time and memory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bnProcess } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bn-reliability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return file;
}

/** One line on standard error, starting with `bn: `, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^bn: /);
  return lines[0]!;
}

describe('invalid UTF-8 on the general CSV reader', () => {
  it.each([
    ['a delimiter beyond ASCII', ['-d', '§'], Buffer.from([...Buffer.from('x§y\n1§2\n3§'), 0xff, 0x0a]), {}],
    ['BN_NO_FAST=1', [], Buffer.from([...Buffer.from('x,y\n1,2\n3,'), 0xff, 0x0a]), { BN_NO_FAST: '1' }],
  ])('%s: one line naming the byte, status 1', async (_name, flags, bytes, env) => {
    const file = write('latin1.csv', bytes);
    const r = await bnProcess(['stats', ...flags, file], { env });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`bn: ${file}: not UTF-8 text: byte 0xff at byte offset ${bytes.length - 2} (convert it, e.g. iconv -f LATIN1 -t UTF-8)`);
    expect(r.stdout).toBe('');
  });
});
