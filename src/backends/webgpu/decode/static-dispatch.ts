/**
 * A dispatch whose uniforms and bind group are built once (per model and layer) and replayed
 * every token: the per-call path (GpuCall.dispatch) writes a uniform block and creates a bind
 * group for each dispatch, which is what a token's ~100 dispatches spent their time on.
 * Bindings are whole buffers; where an array starts is its `<name>Off` uniform, as in every
 * program (program.ts).
 */
import type { GpuBindGroup, GpuBuffer, GpuComputePass, GpuComputePipeline } from '../gpu-types.js';
import { BufferUsage } from '../gpu-types.js';
import type { GpuContext, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';

/** `groups` for programs that place themselves by workgroup id and never skip a spare group. */
export const ALL_GROUPS = 0xFFFFFFFF;

export class StaticDispatch {
  private readonly pipeline: GpuComputePipeline;
  private readonly bindGroup: GpuBindGroup;
  readonly uniformBuffer: GpuBuffer;

  /**
   * @param uniforms the program's own uniforms by name
   * @param refs its storage bindings, in order
   * @param groups the workgroup count the shader sees as P.groups (its spare-group check)
   */
  constructor(ctx: GpuContext, program: GpuProgram, uniforms: Record<string, number>, refs: readonly GpuRef[], groups: number) {
    if (refs.length !== program.bindings.length) throw new Error(`${program.cacheKey}: ${refs.length} refs for ${program.bindings.length} bindings`);
    const { pipeline, layout, uniforms: fields } = ctx.pipelines.get(program);
    const bytes = Math.ceil((fields.length + 1) * 4 / 16) * 16;
    const data = new DataView(new ArrayBuffer(bytes));
    const own = program.uniforms.length;
    fields.forEach((f, i) => {
      const v = i < own ? uniforms[f.name] : i < own + refs.length ? refs[i - own].offset : groups;
      if (v === undefined) throw new Error(`${program.cacheKey}: uniform ${f.name} missing`);
      if (f.type === 'f32') data.setFloat32(i * 4, v, true);
      else if (f.type === 'i32') data.setInt32(i * 4, v, true);
      else data.setUint32(i * 4, v, true);
    });
    this.uniformBuffer = ctx.device.createBuffer({ size: bytes, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST, label: program.cacheKey });
    ctx.device.queue.writeBuffer(this.uniformBuffer, 0, data.buffer, 0, bytes);
    this.pipeline = pipeline;
    this.bindGroup = ctx.device.createBindGroup({
      layout,
      entries: [
        { binding: 0, resource: { buffer: this.uniformBuffer } },
        ...refs.map((r, i) => ({ binding: i + 1, resource: { buffer: r.buffer } })),
      ],
    });
  }

  /** Record the dispatch into `pass` over an (x, y, z) grid of workgroups. */
  encode(pass: GpuComputePass, [x, y, z]: readonly number[]): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(x, y ?? 1, z ?? 1);
  }

  /** Record the dispatch with its workgroup counts read on the GPU (three u32 at `offset` bytes of `args`). */
  encodeIndirect(pass: GpuComputePass, args: GpuBuffer, offset = 0): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroupsIndirect(args, offset);
  }

  dispose(): void {
    this.uniformBuffer.destroy();
  }
}
