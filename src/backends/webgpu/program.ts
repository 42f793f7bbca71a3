/**
 * WGSL compute programs, TensorFlow.js-style: a program object names its uniforms and
 * storage bindings, its workgroup size and a cache key; `shaderSource` assembles the full
 * WGSL (uniform struct, bindings, entry point) so each programs/<kernel>.ts holds only the
 * kernel's own code. Pipelines are compiled once per cache key (pipeline-cache.ts).
 *
 * Conventions inside a program's `body`:
 * - uniforms are read as `P.<name>`; every array binding has an element offset uniform
 *   `P.<binding>Off` (device arrays may be subarrays of a larger buffer);
 * - `wid` is the flat workgroup index (dispatches wider than the device's
 *   maxComputeWorkgroupsPerDimension are folded into a 2-D or 3-D grid whose spare groups
 *   return at once), `lid` the local index, `lid3` the local id,
 *   `gid` = wid * threads + lid; `P.groups` is the number of groups dispatched.
 */

export type UniformType = 'u32' | 'i32' | 'f32';
export type StorageType = 'f32' | 'i32' | 'u32' | 'vec4<f32>' | 'atomic<u32>' | 'atomic<i32>';

export interface Binding {
  name: string;
  type: StorageType;
  access: 'read' | 'read_write';
}

export interface GpuProgram {
  /** Identifies the WGSL text: equal keys must mean equal shaders. */
  readonly cacheKey: string;
  readonly workgroupSize: readonly [number, number];
  /** Scalar uniforms, in order (offset uniforms for the bindings are added automatically). */
  readonly uniforms: readonly { name: string; type: UniformType }[];
  /** Storage bindings 1..n (binding 0 is the uniform block). */
  readonly bindings: readonly Binding[];
  /** Helper functions and workgroup variables placed before the entry point. */
  readonly prelude?: string;
  /** The entry point's body. */
  readonly body: string;
}

/** Largest number of workgroups along one dispatch dimension (WebGPU's default limit). */
export const MAX_GROUPS_PER_DIM = 65535;

/** Every uniform of a program in buffer order: its own, the binding offsets, then `groups`. */
export function allUniforms(p: GpuProgram): { name: string; type: UniformType }[] {
  return [...p.uniforms, ...p.bindings.map((b) => ({ name: `${b.name}Off`, type: 'u32' as const })),
    { name: 'groups', type: 'u32' }];
}

/** The complete WGSL source of a program. */
export function shaderSource(p: GpuProgram): string {
  const [wx, wy] = p.workgroupSize;
  const fields = allUniforms(p).map((u) => `  ${u.name}: ${u.type},`).join('\n');
  const bindings = p.bindings.map((b, i) =>
    `@group(0) @binding(${i + 1}) var<storage, ${b.access}> ${b.name}: array<${b.type}>;`).join('\n');
  return `struct Params {
${fields}
  _pad: u32,
};
@group(0) @binding(0) var<uniform> P: Params;
${bindings}
${p.prelude ?? ''}
@compute @workgroup_size(${wx}, ${wy})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let wid = wg.x + (wg.y + wg.z * nwg.y) * nwg.x;
  if (wid >= P.groups) { return; } // the spare groups of a folded 2-D grid
  let gid = wid * ${wx * wy}u + lid;
${p.body}
}
`;
}

/**
 * Workgroup grid for `groups` workgroups with at most `maxPerDim` along each dimension:
 * [x, y, z] with x·y·z ≥ groups (the shader's wid flattens it; spare groups return).
 */
export function grid(groups: number, maxPerDim = MAX_GROUPS_PER_DIM): [number, number, number] {
  const x = Math.max(1, Math.min(groups, maxPerDim));
  const y = Math.min(Math.ceil(groups / x), maxPerDim);
  const z = Math.ceil(groups / (x * y));
  if (z > maxPerDim) throw new Error(`${groups} workgroups exceed a ${maxPerDim}³ grid`);
  return [x, y, z];
}
