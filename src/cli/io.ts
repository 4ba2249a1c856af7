import type { Readable, Writable } from 'node:stream';

/** Everything the CLI touches of the process, so tests can run it in-process. */
export interface Io {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
}
