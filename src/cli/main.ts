/**
 * What bin/bn loads first (built into dist/bundle/main.js, see scripts/bundle.mjs): the early
 * start of worker threads, run(), and what the process's ways out need. It is small on purpose:
 * commander, the commands, the readers and writers are loaded by run() and the commands when
 * they are used (dynamic imports, each a chunk of its own), so that `bn --version` loads
 * almost nothing and `bn --help` no reader.
 */
export { startEarlyWorkers } from './early-workers.js';
export { run } from './run.js';
export { stopProgressBars } from './progress.js';
export { removeTemporariesSync } from '../io/temporary-files.js';
export { writeFailed } from '../errors.js';
