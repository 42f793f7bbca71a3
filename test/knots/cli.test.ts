/**
 * `sparse-inference knots` end to end through runCli: fit a CSV (text, JSON, SVG), denoise,
 * experiments, and every kind of bad input giving a one-line error and the right exit code.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { knotsCommand } from '../../src/cli/commands/knots.js';
import { fitKnots } from '../../src/knots/fit-knots.js';
import { fakeContext } from '../cli/fake-context.js';
import { MCYCLE_ACCEL, MCYCLE_TIMES } from '../../src/knots/data/mcycle.js';
import { spiralData } from '../../src/knots/manifold/manifold-generators.js';
import { knotsSection } from '../../src/report/sections/knots.js';
import { createKernels } from '../../src/backends/create-kernels.js';

const dir = mkdtempSync(join(tmpdir(), 'knots-cli-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const mcycle = file('mcycle.csv', 'times,accel\n' + MCYCLE_TIMES.map((t, i) => `${t},${MCYCLE_ACCEL[i]}`).join('\n') + '\n');
const fast = ['--iterations', '300', '--burn-in', '200', '--chains', '1', '--backend', 'reference'];

async function cli(args: string[]) {
  const ctx = fakeContext();
  const code = await runCli(['knots', ...args], ctx, [knotsCommand], () => '0.0.0');
  return { code, out: ctx.out, err: ctx.err };
}

describe('knots fit', () => {
  it('prints the posterior of k, knot quantiles, R̂ and fit quality, and writes an SVG', async () => {
    const svg = join(dir, 'fit.svg');
    const r = await cli(['fit', mcycle, '--x', 'times', '--y', 'accel', ...fast, '--out', svg]);
    // A 300-iteration single chain cannot show convergence: warnings on stderr, summary marked.
    expect(r.err).toMatch(/^(warning: .*\n)+$/);
    expect(r.out).toMatch(/UNCONVERGED: \d+ convergence warning/);
    expect(r.out).toMatch(/knots \[UNCONVERGED\]/);
    expect(r.out).toMatch(/sampling: \d+\.\d+ s wall, [\d,]+ it\/s/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/times: posterior of k: /);
    expect(r.out).toMatch(/2\.5%: /);
    expect(r.out).toMatch(/split-R̂/);
    expect(r.out).toMatch(/fit: residual SD \d+\.\d+, R² 0\.[6-9]/);
    const s = readFileSync(svg, 'utf8');
    expect(s.startsWith('<svg')).toBe(true);
    expect(s).toContain('knot density');
  });

  it('prints JSON with --json and fits two x columns (heat map)', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => { const a = (i * 37) % 101 / 100, b = (i * 53) % 97 / 96; return `${a},${b},${(a - 0.5) ** 2 + b}`; });
    const p = file('surf.csv', 'a,b,z\n' + rows.join('\n') + '\n');
    const svg = join(dir, 'surf.svg');
    const r = await cli(['fit', p, '--x', 'a,b', '--y', 'z', ...fast, '--json', '--out', svg]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.d).toBe(2);
    expect(j.kPosterior).toHaveLength(2);
    expect(existsSync(svg)).toBe(true);
  });

  it('--out takes a directory (existing or new) or a file; --predict and --json carry bands and convergence', async () => {
    const existing = join(dir, 'plots');
    mkdirSync(existing, { recursive: true });
    const fresh = join(dir, 'new', 'deeper');
    for (const [target, expected] of [[existing, join(existing, 'knots-fit-accel.svg')], [fresh, join(fresh, 'knots-fit-accel.svg')]]) {
      const r = await cli(['fit', mcycle, '--x', 'times', '--y', 'accel', ...fast, '--out', target, '--json', '--predict', '10,20.5']);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out);
      expect(j.plot).toBe(expected);
      expect(readFileSync(expected, 'utf8').startsWith('<svg')).toBe(true);
      expect(j.converged).toBe(false);
      expect(j.warnings.length).toBeGreaterThan(0);
      expect(j.diagnostics.k[0]).toHaveProperty('rhat');
      expect(j.timing.iterationsPerSecond).toBeGreaterThan(0);
      expect(j.predictions).toHaveLength(2);
      for (const p of j.predictions) expect(p.lower).toBeLessThanOrEqual(p.mean);
      expect(j.predictions[1].x).toEqual([20.5]);
    }
    const blocker = file('blocker.txt', 'not a directory');
    const bad = await cli(['fit', mcycle, '--x', 'times', '--y', 'accel', ...fast, '--out', join(blocker, 'sub')]);
    expect(bad.err).toMatch(/cannot write the plot to .*blocker\.txt/);
    expect(bad.err).not.toMatch(/internal error/);
    expect(bad.code).toBe(1);
    const txt = await cli(['fit', mcycle, '--x', 'times', '--y', 'accel', ...fast, '--predict', '15', '--temperatures', '1,2']);
    expect(txt.out).toMatch(/predict 15: mean -?\d.*95% credible \[/);
  });

  it('--neighbour-moves and --start reach the sampler: the same draws as fitKnots with those options, unlike the defaults', async () => {
    const base = { iterations: 300, burnIn: 200, chains: 1, backend: 'reference' as const, seed: 1 };
    const json = async (extra: string[]) => JSON.parse((await cli(['fit', mcycle, '--x', 'times', '--y', 'accel', ...fast, '--json', ...extra])).out);
    const tuned = await json(['--neighbour-moves', '0.3', '--start', 'greedy']);
    const direct = await fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, { ...base, neighbourMoves: { probability: 0.3 }, start: 'greedy' });
    expect(tuned.kPosterior).toEqual(direct.summary().kPosterior);
    const plain = await json([]);
    expect(plain.kPosterior).not.toEqual(tuned.kPosterior);
    expect((await json(['--neighbour-moves', '0'])).kPosterior).toEqual(plain.kPosterior);
  });

  it('--mode-jumps and --mode-jump-radius reach the sampler: the same draws as fitKnots with those options; 0 turns jumps off', async () => {
    const base = { iterations: 300, burnIn: 200, chains: 1, backend: 'reference' as const, seed: 1 };
    const json = async (extra: string[]) => JSON.parse((await cli(['fit', mcycle, '--x', 'times', '--y', 'accel', ...fast, '--json', ...extra])).out);
    const tuned = await json(['--mode-jumps', '0.5', '--mode-jump-radius', '3']);
    const direct = await fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, { ...base, modeJumps: { probability: 0.5, radius: 3 } });
    expect(tuned.kPosterior).toEqual(direct.summary().kPosterior);
    const off = await json(['--mode-jumps', '0']);
    expect(off.kPosterior).toEqual((await fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, { ...base, modeJumps: false })).summary().kPosterior);
    const plain = await json([]);
    expect(plain.kPosterior).toEqual((await fitKnots(MCYCLE_TIMES, MCYCLE_ACCEL, base)).summary().kPosterior);
    expect(off.kPosterior).not.toEqual(plain.kPosterior);
    expect(tuned.kPosterior).not.toEqual(plain.kPosterior);
  });

  it('says how the special moves share an iteration when their probabilities sum to 1 or more', async () => {
    const help = (await cli(['fit', '--help'])).out;
    expect(help).toMatch(/--mode-jumps P .*\n.*\(default 0\.2 at γ ≤ 1,\n.*rising to 0\.3 at γ ≥ 2; 0: off\)/);
    expect(help).toMatch(/--mode-jump-radius R/);
    expect(help).toMatch(/take their shares of\s+each iteration first \(sum below 1\)/);
    const r = await cli(['fit', mcycle, '--x', 'times', '--y', 'accel', '--neighbour-moves', '0.8']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/twin moves \(0\.05\) \+ --neighbour-moves 0\.8 \+ --mode-jumps 0\.2 must sum below 1: each iteration makes one move/);
    expect(r.err).toMatch(/lower --neighbour-moves or --mode-jumps by more than 0\.05/);
    // The same neighbour share fits once mode jumps give way.
    const ok = await cli(['fit', mcycle, '--x', 'times', '--y', 'accel', ...fast, '--neighbour-moves', '0.8', '--mode-jumps', '0.1']);
    expect(ok.code).toBe(0);
  });

  it('gives clear errors for bad CSVs and options', async () => {
    const cases: [string[], RegExp, number][] = [
      [['fit', mcycle, '--x', 'time', '--y', 'accel'], /column 'time' not found \(columns: times, accel\)/, 1],
      [['fit', file('nan.csv', 'x,y\n1,2\n2,NaN\n3,4\n4,5\n5,6\n6,7\n'), '--x', 'x', '--y', 'y'], /row 3, column 'y' is not a finite number/, 1],
      [['fit', file('txt.csv', 'x,y\n1,2\n2,abc\n'), '--x', 'x', '--y', 'y'], /needs at least 5 data rows|not a finite number/, 1],
      [['fit', file('few.csv', 'x,y\n1,2\n2,3\n'), '--x', 'x', '--y', 'y'], /needs at least 5 data rows, found 2/, 1],
      [['fit', file('const.csv', 'x,y\n' + Array.from({ length: 20 }, (_, i) => `3,${i}`).join('\n')), '--x', 'x', '--y', 'y', ...fast], /x column 0 is constant/, 2],
      [['fit', join(dir, 'missing.csv'), '--x', 'x', '--y', 'y'], /cannot read .*missing\.csv/, 1],
      [['fit', mcycle, '--y', 'accel'], /--x COL\[,COL\] is required/, 2],
      [['fit', mcycle, '--x', 'times', '--y', 'accel', '--degree', '9'], /--degree must be ≤ 5/, 2],
      [['fit', mcycle, '--x', 'times', '--y', 'accel', '--times', '2', '--candidates', '100'], /--times or --candidates, not both/, 2],
      [['fit', mcycle, '--x', 'times', '--y', 'accel', '--family', 'poisson', ...fast], /non-negative integer count/, 2],
      [['nope'], /unknown knots sub-command 'nope'/, 2],
      [['experiment', 'nope'], /unknown experiment 'nope'/, 2],
      [['denoise', mcycle], /--dim 1\|2 is required/, 2],
      [['fit', mcycle, '--x', 'times', '--y', 'accel', '--predict', '1,abc'], /--predict point 'abc' must be a number/, 2],
      [['fit', mcycle, '--x', 'times', '--y', 'accel', '--temperatures', '2,3', ...fast], /temperatures\[0\] must be/, 2],
      [['fit', mcycle, '--x', 'times', '--y', 'accel', '--neighbour-moves', '1.5'], /--neighbour-moves must be ≤ 0\.95/, 2],
      [['fit', mcycle, '--x', 'times', '--y', 'accel', '--start', 'best'], /--start/, 2],
      [['fit', mcycle, '--x', 'times', '--y', 'accel', '--mode-jumps', '1'], /--mode-jumps must be ≤ 0\.95/, 2],
      [['fit', mcycle, '--x', 'times', '--y', 'accel', '--mode-jumps', 'x'], /--mode-jumps/, 2],
      [['fit', mcycle, '--x', 'times', '--y', 'accel', '--mode-jump-radius', '2.5'], /--mode-jump-radius must be an integer/, 2],
      [['fit', mcycle, '--x', 'times', '--y', 'accel', '--mode-jumps', '0', '--mode-jump-radius', '5'], /--mode-jump-radius needs mode jumps on/, 2],
    ];
    for (const [args, pattern, code] of cases) {
      const r = await cli(args);
      expect(r.err, args.join(' ')).toMatch(pattern);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.code, args.join(' ')).toBe(code);
    }
  });
});

describe('knots denoise and experiment', () => {
  it('denoises a CSV of spiral points', async () => {
    const { noisy } = spiralData(1500, 0.2, 3);
    const p = file('spiral.csv', 'u,v\n' + Array.from({ length: 1500 }, (_, i) => `${noisy[2 * i]},${noisy[2 * i + 1]}`).join('\n'));
    const out = join(dir, 'den.csv');
    const r = await cli(['denoise', p, '--dim', '1', '--iterations', '300', '--burn-in', '300', '--out', out, '--backend', 'reference']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/denoised 1500 points .* mean squared shift 0\.0\d+/);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('u,v');
  }, 60_000);

  it('runs a quick experiment and prints the paper column', async () => {
    const r = await cli(['experiment', 'knot-location', '--quick', '--replicates', '1', '--backend', 'reference']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/MAE paper/);
    expect(r.out).toMatch(/case 3 +0\.2/);
  }, 60_000);

  it('the report section builds its figures (quick)', async () => {
    const s = await knotsSection({ kernels: await createKernels({ backend: 'reference' }), quick: true });
    expect(s.id).toBe('knots');
    expect((s.html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(s.summary).toMatch(/mcycle modal k = \d+/);
    // The quiet default's 2000 + 2000 chains reach ESS of k ≈ 85 (< 100): the conclusion says so.
    expect(s.conclusion).toMatch(/Unconverged by the library's own checks<\/strong> \(mcycle: \d+ warning\(s\), e\.g\. (ESS|split-R̂)/);
  }, 60_000);
});
