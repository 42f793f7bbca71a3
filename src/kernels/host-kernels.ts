/**
 * The reference kernels behind the shared shape checks, for host-side helpers that take no
 * Kernels argument (one-off calls on plain arrays, e.g. a design matrix for a plot): they get the
 * same results and the same errors as every backend without choosing one.
 */
import type { KernelFunctions } from './kernels.js';
import { referenceKernelFunctions } from './reference/index.js';
import { withShapeChecks } from './checked.js';

export const hostKernels: KernelFunctions = withShapeChecks(referenceKernelFunctions);
