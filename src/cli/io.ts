import type { Readable, Writable } from 'node:stream';

/** Everything the CLI touches of the process, so tests can run it in-process. */
export interface Io {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}
