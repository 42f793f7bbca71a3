/**
 * The slice of the WebGPU API this backend uses, declared structurally so the library needs
 * no @webgpu/types at build time and works with any implementation: browsers' and Deno's
 * `navigator.gpu`, or the `webgpu` package (Dawn) in Node. Names follow the WebGPU spec.
 */

/** GPUBufferUsage flags (numeric, so no runtime global is needed). */
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  INDIRECT: 0x0100,
} as const;

/** GPUMapMode.READ */
export const MAP_READ_MODE = 0x0001;

export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<GpuAdapter | null>;
}

export interface GpuAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

export interface GpuAdapter {
  readonly limits: Record<string, number>;
  readonly features: { has(name: string): boolean };
  readonly info?: GpuAdapterInfo;
  requestDevice(descriptor?: { requiredLimits?: Record<string, number>; requiredFeatures?: string[] }): Promise<GpuDevice>;
}

export interface GpuBuffer {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

export interface GpuBindGroupLayout { readonly __brand?: 'GPUBindGroupLayout' }
export interface GpuBindGroup { readonly __brand?: 'GPUBindGroup' }

export interface GpuComputePipeline {
  getBindGroupLayout(index: number): GpuBindGroupLayout;
}

export interface GpuShaderModule {
  getCompilationInfo?(): Promise<{ messages: readonly { type: string; message: string; lineNum: number }[] }>;
}

export interface GpuComputePass {
  setPipeline(pipeline: GpuComputePipeline): void;
  setBindGroup(index: number, group: GpuBindGroup): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  /** The (x, y, z) workgroup counts are three u32 at `offset` bytes of `indirect`. */
  dispatchWorkgroupsIndirect(indirect: GpuBuffer, offset: number): void;
  end(): void;
}

export interface GpuCommandBuffer { readonly __brand?: 'GPUCommandBuffer' }

export interface GpuCommandEncoder {
  beginComputePass(descriptor?: object): GpuComputePass;
  copyBufferToBuffer(src: GpuBuffer, srcOffset: number, dst: GpuBuffer, dstOffset: number, size: number): void;
  finish(): GpuCommandBuffer;
}

export interface GpuQueue {
  submit(buffers: GpuCommandBuffer[]): void;
  writeBuffer(buffer: GpuBuffer, offset: number, data: ArrayBufferView | ArrayBuffer, dataOffset?: number, size?: number): void;
  onSubmittedWorkDone(): Promise<void>;
}

export interface GpuError { readonly message: string }

export interface GpuDevice {
  readonly limits: Record<string, number>;
  readonly queue: GpuQueue;
  readonly lost: Promise<{ reason?: string; message: string }>;
  createBuffer(descriptor: { size: number; usage: number; label?: string }): GpuBuffer;
  createShaderModule(descriptor: { code: string; label?: string }): GpuShaderModule;
  createComputePipeline(descriptor: {
    layout: 'auto'; compute: { module: GpuShaderModule; entryPoint: string }; label?: string;
  }): GpuComputePipeline;
  createBindGroup(descriptor: {
    layout: GpuBindGroupLayout;
    entries: { binding: number; resource: { buffer: GpuBuffer; offset?: number; size?: number } }[];
  }): GpuBindGroup;
  createCommandEncoder(): GpuCommandEncoder;
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope(): Promise<GpuError | null>;
  destroy(): void;
}
