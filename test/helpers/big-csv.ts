/**
 * The data of the map-reduce tests, a stand-in for a file too big for one machine: an index,
 * N(0,1)-like values, 1e9 + noise (where a naive sum loses digits), a column with a missing cell
 * every 7th row, a text label. Deterministic for a seed.
 */
import { seededRandom } from './exact.js';

export function bigCsv(rows: number, seed: number): string {
  const rand = seededRandom(seed);
  const lines = ['id,a,big,c,label'];
  for (let i = 0; i < rows; i++) {
    const a = (rand() + rand() + rand() - 1.5) * 2;
    const big = 1e9 + (rand() - 0.5) * 60;
    const c = i % 7 === 0 ? 'NA' : String(5 + 2 * (rand() - 0.5));
    lines.push(`${i},${a},${big},${c},x${i % 3}`);
  }
  return `${lines.join('\n')}\n`;
}
