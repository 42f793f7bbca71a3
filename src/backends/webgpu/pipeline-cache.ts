/**
 * Compiled compute pipelines, one per program cache key. Compiling WGSL costs milliseconds
 * (much more on SwiftShader), so every program is compiled once per device and reused.
 */
import type { GpuBindGroupLayout, GpuComputePipeline, GpuDevice } from './gpu-types.js';
import { allUniforms, shaderSource, type GpuProgram, type UniformType } from './program.js';

/** A compiled program with what every dispatch of it needs (looked up once, not per call). */
export interface CompiledProgram {
  pipeline: GpuComputePipeline;
  layout: GpuBindGroupLayout;
  uniforms: { name: string; type: UniformType }[];
}

export class PipelineCache {
  private readonly pipelines = new Map<string, CompiledProgram>();

  constructor(private readonly device: GpuDevice) {}

  /** The pipeline for `program`, compiled on first use. */
  get(program: GpuProgram): CompiledProgram {
    let p = this.pipelines.get(program.cacheKey);
    if (!p) {
      const module = this.device.createShaderModule({ code: shaderSource(program), label: program.cacheKey });
      const pipeline = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: program.cacheKey });
      p = { pipeline, layout: pipeline.getBindGroupLayout(0), uniforms: allUniforms(program) };
      this.pipelines.set(program.cacheKey, p);
    }
    return p;
  }

  /** Number of distinct pipelines compiled so far. */
  get size(): number {
    return this.pipelines.size;
  }
}
