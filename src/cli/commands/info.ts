/**
 * `sparse-inference info`: what this runtime offers — JavaScript runtime, WebAssembly SIMD
 * and relaxed SIMD, WebGPU, and which kernels each backend implements natively.
 */
import type { CliCommand } from '../command.js';
import { VOCABULARY, parseArgs } from '../args.js';
import { packageVersion } from '../version.js';
import { describeEnvironment, WEBGPU_NOT_PROBED, type EnvironmentReport } from '../../report/environment.js';
import { KERNEL_NAMES } from '../../kernels/kernels.js';

const yes = (b: boolean) => (b ? 'yes' : 'no');

/** The human-readable table printed by `info`. */
export function formatEnvironment(env: EnvironmentReport, version: string): string {
  const lines = [
    `sparse-inference ${version}`,
    `runtime        ${env.runtime.name} ${env.runtime.version} (${env.runtime.platform})`,
    `webassembly    ${yes(env.wasm.available)}; SIMD ${yes(env.wasm.simd)}; relaxed SIMD ${yes(env.wasm.relaxedSimd)}`,
    `webgpu         ${env.webgpu.available ? `yes (${env.webgpu.adapter})` : env.webgpu.reason === WEBGPU_NOT_PROBED ? 'not probed (pass --webgpu to probe it)' : `no (${env.webgpu.reason})`}`,
    `default        ${env.defaultBackend.backend} (${env.defaultBackend.variant}) — what createKernels() picks`,
    'backends',
  ];
  const all = KERNEL_NAMES.length;
  for (const b of env.backends) {
    if (!b.available) {
      lines.push(`  ${b.backend.padEnd(10)} ${b.reason === WEBGPU_NOT_PROBED ? 'not probed (--webgpu)' : `unavailable: ${b.reason ?? 'unknown reason'}`}`);
      continue;
    }
    const missing = KERNEL_NAMES.filter((k) => !b.native.includes(k));
    const fallback = missing.length ? `; from reference: ${missing.join(', ')}` : '';
    lines.push(`  ${b.backend.padEnd(10)} ${String(b.variant).padEnd(7)} ${b.native.length}/${all} kernels native${fallback}`);
  }
  return lines.join('\n') + '\n';
}

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'Show the runtime, kernel backends, WASM SIMD and WebGPU availability',
  usage: `Usage: sparse-inference info [--json] [--webgpu]

Show what this runtime offers the library: the JavaScript runtime and version, whether
WebAssembly SIMD and relaxed SIMD validate, whether a WebGPU adapter is available, and for
each kernel backend (reference, wasm, webgpu) whether it loads and which kernels it
implements natively (the rest fall back to the reference backend).

Options:
  --json      Print the same information as JSON
  --webgpu    Also probe WebGPU (loads the GPU stack: Dawn may print driver messages on
              machines without a GPU); without it WebGPU is reported as not probed
  -h, --help  Show this help
`,
  async run(args, ctx) {
    const { values } = parseArgs(args, { options: { ...VOCABULARY.json, webgpu: { type: 'boolean' } } });
    const env = await describeEnvironment({ webgpu: values.webgpu });
    if (values.json) {
      ctx.stdout(JSON.stringify({ name: 'sparse-inference', version: packageVersion(), ...env }, null, 2) + '\n');
    } else {
      ctx.stdout(formatEnvironment(env, packageVersion()));
    }
    return 0;
  },
};
