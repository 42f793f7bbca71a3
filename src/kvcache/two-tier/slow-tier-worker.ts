/**
 * Worker entry of WorkerSlowTier: an InThreadSlowTier driven through the shared link. It waits
 * on the control block (Atomics.wait — allowed in workers), stores staged tokens, answers
 * attention requests, and signals completion with Atomics.notify.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createKernels } from '../../backends/create-kernels.js';
import { InThreadSlowTier, type SlowTierShape } from './slow-tier.js';
import { DONE, ERR, OP, OP_APPEND, OP_ATTEND, OP_CLEAR, OP_EXIT, REQ, STAGED, linkLayout } from './link.js';

interface Init {
  shape: SlowTierShape;
  stage: number;
  buffer: SharedArrayBuffer;
  backend: 'reference' | 'wasm';
  wasmVariant?: 'simd' | 'scalar';
}

const init = workerData as Init;
const kernels = await createKernels({ backend: init.backend, wasmVariant: init.wasmVariant });
const tier = new InThreadSlowTier(kernels, init.shape);
const v = linkLayout(init.shape, init.stage, init.buffer).views!;
const { nKvHeads, headDim: d } = init.shape;
parentPort!.postMessage({ type: 'ready', variant: kernels.variant });

const selections = Array.from({ length: nKvHeads }, (_, h) => v.selections.subarray(h * init.shape.capacity, (h + 1) * init.shape.capacity));
let seen = 0;
for (;;) {
  Atomics.wait(v.ctrl, REQ, seen);
  seen = Atomics.load(v.ctrl, REQ);
  const op = Atomics.load(v.ctrl, OP);
  try {
    if (op === OP_EXIT) break;
    if (op === OP_CLEAR) tier.clear();
    // Appends are staged by the caller and stored before any attention request.
    const staged = Atomics.load(v.ctrl, STAGED);
    for (let t = 0; t < staged; t++) {
      tier.append(v.stageK.subarray(t * nKvHeads * d, (t + 1) * nKvHeads * d), v.stageV.subarray(t * nKvHeads * d, (t + 1) * nKvHeads * d));
    }
    Atomics.store(v.ctrl, STAGED, 0);
    if (op === OP_ATTEND) {
      await tier.attend({ qPost: v.qPost, selections, counts: Array.from(v.counts), out: v.out, lse: v.lse });
    }
    void OP_APPEND;
  } catch (e) {
    Atomics.store(v.ctrl, ERR, 1);
    parentPort!.postMessage({ type: 'error', message: (e as Error).message });
  }
  Atomics.store(v.ctrl, DONE, seen);
  Atomics.notify(v.ctrl, DONE);
}
tier.dispose();
Atomics.store(v.ctrl, DONE, seen);
Atomics.notify(v.ctrl, DONE);
