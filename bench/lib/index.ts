/**
 * What the benchmark runners (bench/runners: Node, Deno, the browser page) load: the library
 * itself plus the suites and their harness, which stay in the repository.
 */
export * from '../../src/index.js';
export { runSuite, formatTable, writeResult, sink, detectRuntime } from './harness.js';
export type {
  BenchTask, RatioSpec, TaskResult, RatioResult, SuiteResult, SuiteOptions, Suite, RunOptions, Clock,
} from './harness.js';
export { suites } from './suites/index.js';
export { benchmarkHtml } from './bench-html.js';
