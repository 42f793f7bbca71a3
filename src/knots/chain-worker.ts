/**
 * worker_threads entry: runs one knot-sampler chain and posts the record back (typed arrays
 * transferred, not copied). Messages to the parent: { type: 'progress', fraction },
 * { type: 'done', record } or { type: 'error', message, code }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendName } from '../kernels/kernels.js';
import { createKernels, cpuBackends } from '../backends/create-kernels.js';
import { SparseInferenceError } from '../core/errors.js';
import { runChain, type ChainProblem } from './rjmcmc-chain.js';

interface WorkerInput {
  problem: ChainProblem;
  seed: number;
  backend: BackendName;
}

async function main(): Promise<void> {
  const { problem, seed, backend } = workerData as WorkerInput;
  const port = parentPort!;
  try {
    const kernels = await createKernels({ backend: cpuBackends([backend, 'auto']) }); // a GPU's chains run on the CPU
    let last = -1;
    const record = runChain(problem, seed, kernels, {
      onProgress: (fraction) => {
        if (fraction - last >= 0.01 || fraction === 1) { last = fraction; port.postMessage({ type: 'progress', fraction }); }
      },
    });
    const transfer = [
      ...record.k, ...record.knotOffsets, ...record.knotIndex,
      record.logScore, record.accepted, record.moveType, record.probe,
    ].map((a) => a.buffer as ArrayBuffer);
    port.postMessage({ type: 'done', record }, transfer);
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message, code: e instanceof SparseInferenceError ? e.code : undefined });
  }
}

void main();
