/**
 * Results of whole-program runs (each engine timing its own generation) in the harness's
 * SuiteResult shape, so they print, save and check like every other suite. A task is one
 * engine on one workload; its samples are ms per token (1000 / the tok/s the engine printed),
 * one per run; runs of the engines alternate, so machine load hits them alike.
 */
import { detectRuntime, type RatioResult, type SuiteResult, type TaskResult } from '../harness.js';
import { median } from './child-run.js';

export class EngineSamples {
  private readonly msPerToken = new Map<string, number[]>();
  private readonly rss = new Map<string, number[]>();
  private readonly notes = new Map<string, string>();

  /** Declare a task (in table order) with an optional note. */
  task(name: string, note?: string): void {
    this.msPerToken.set(name, []);
    this.rss.set(name, []);
    if (note) this.notes.set(name, note);
  }

  /** One run of `name`: the tokens/s it printed and its peak RSS (bytes; NaN if unknown). */
  record(name: string, tokensPerSecond: number, peakRss = NaN): void {
    this.msPerToken.get(name)!.push(1000 / tokensPerSecond);
    this.rss.get(name)!.push(peakRss);
  }

  /** Median tokens/s of a task (NaN before any run). */
  tokensPerSecond(name: string): number {
    return 1000 / median(this.msPerToken.get(name) ?? []);
  }

  /** Median peak RSS of a task, bytes (NaN when unknown). */
  peakRss(name: string): number {
    return median(this.rss.get(name) ?? []);
  }

  toResult(suite: string, quick: boolean, ratios: RatioResult[], notes: string[]): SuiteResult {
    const tasks: TaskResult[] = [];
    for (const [name, s] of this.msPerToken) {
      if (s.length === 0) continue;
      const v = s.slice().sort((a, b) => a - b);
      const q = (f: number) => v[Math.min(v.length - 1, Math.floor(f * (v.length - 1) + 0.5))];
      const rss = this.peakRss(name);
      const note = [this.notes.get(name), Number.isFinite(rss) ? `peak RSS ${(rss / 1e6).toFixed(0)} MB` : '']
        .filter(Boolean).join('; ');
      tasks.push({ name, medianMs: median(s), p25Ms: q(0.25), p75Ms: q(0.75), samples: s.length, ...(note ? { note } : {}) });
    }
    return { suite, runtime: detectRuntime(), date: new Date().toISOString(), quick, clock: 'wall', tasks, ratios, notes };
  }
}

/** A ratio with its target and pass flag set. */
export function ratio(name: string, value: number, unit: string, target?: number, note?: string): RatioResult {
  const r: RatioResult = { name, value, unit };
  if (target !== undefined) { r.target = target; r.pass = value >= target; }
  if (note) r.note = note;
  return r;
}
