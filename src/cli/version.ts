import { createRequire } from 'node:module';

/** bn's version, from package.json (one level above src/ and dist/ alike). */
export const { version: BN_VERSION } = createRequire(import.meta.url)('../../package.json') as { version: string };
