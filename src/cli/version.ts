import { createRequire } from 'node:module';

/** bn's version, from package.json (two levels above every module: src/cli, dist/cli, dist/bundle). */
export const { version: BN_VERSION } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** What `bn --version` prints: the Node version too, so that a bug report that quotes it says both. */
export function versionLine(nodeVersion: string): string {
  return `bn ${BN_VERSION} (Node ${nodeVersion})`;
}
