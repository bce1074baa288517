// A/B training benchmark: this checkout against another one (an older commit in a git
// worktree), their `onnx-mnist train` runs interleaved in one run so both see the same
// host phases. Prints the median epoch and end-to-end time of each and their ratio.
//   git worktree add /tmp/base <commit> && ln -s "$PWD/node_modules" /tmp/base/
//   npx tsx bench/ab-train.ts /tmp/base [rounds] [-- extra train flags]
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import path from 'node:path';
import { median } from '../src/node/run.js';

const [other, roundsArg = '5'] = process.argv.slice(2);
if (!other) throw new Error('usage: tsx bench/ab-train.ts <other checkout> [rounds] [-- train flags]');
const extra = process.argv.includes('--') ? process.argv.slice(process.argv.indexOf('--') + 1) : [];
const sides = { this: process.cwd(), base: path.resolve(other) };
const results: Record<string, { epoch: number[]; total: number[] }> = { this: { epoch: [], total: [] }, base: { epoch: [], total: [] } };

for (let round = 0; round < Number(roundsArg); round++) {
  // Alternate which side goes first, so neither always runs on a warmer or cooler host.
  for (const side of (round % 2 ? ['base', 'this'] : ['this', 'base']) as (keyof typeof sides)[]) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', '--out', `/tmp/ab-${side}`, ...extra], { cwd: sides[side], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${side}: train failed\n${r.stderr}`);
    const m = /median epoch ([\d.]+) s/.exec(r.stdout);
    if (!m) throw new Error(`${side}: no median epoch in\n${r.stdout}`);
    results[side].epoch.push(Number(m[1]));
    results[side].total.push((performance.now() - t0) / 1000);
  }
}
const row = (side: string) => `| ${side} | ${median(results[side].epoch).toFixed(3)} | ${results[side].epoch.join(', ')} | ${median(results[side].total).toFixed(2)} |`;
console.log(`A/B training (${new Date().toISOString().slice(0, 10)}, ${cpus()[0].model}, ${cpus().length} cores), ${roundsArg} interleaved rounds, train ${extra.join(' ') || '(defaults)'}\n`);
console.log('| checkout | median epoch (s) | per run | median run incl. startup (s) |\n|---|---|---|---|');
console.log(row('this'));
console.log(row('base'));
console.log(`\nthis / base: epoch ${(median(results.this.epoch) / median(results.base.epoch)).toFixed(3)}, run ${(median(results.this.total) / median(results.base.total)).toFixed(3)}`);
