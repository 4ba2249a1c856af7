import { run } from './dist/cli/run.js';
import { Writable } from 'node:stream';
import { createReadStream } from 'node:fs';
const sink = new Writable({ write(c, e, cb) { cb(); } });
const copies = Number(process.env.COPIES ?? 3);
async function* input() { for (let i = 0; i < copies; i++) for await (const c of createReadStream('/tmp/fastwork/data.csv', { start: i === 0 ? 0 : 31 })) yield c; }
let peak = 0; let n = 0; const t = setInterval(() => { const m = process.memoryUsage(); if (++n % 20 === 0 || m.rss > peak) { peak = Math.max(peak, m.rss); process.stderr.write(`rss ${(m.rss/1e6).toFixed(0)} heapUsed ${(m.heapUsed/1e6).toFixed(0)} heapTotal ${(m.heapTotal/1e6).toFixed(0)} ext ${(m.external/1e6).toFixed(0)} ab ${(m.arrayBuffers/1e6).toFixed(0)}\n`); } }, 100);
const { Readable } = await import('node:stream');
const code = await run(process.argv.slice(2), { stdin: Readable.from(input()), stdout: sink, stderr: process.stderr, env: {} });
clearInterval(t); console.error('code', code);
