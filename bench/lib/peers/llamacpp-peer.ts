/**
 * llama.cpp itself (native, through llama-cpp-python from pip, which builds llama.cpp from
 * source) as a peer of the llama-gguf suite. One Python process per run loads the GGUF and
 * times, with the same token ids every engine gets (../suites/llama-gguf.ts):
 *   prefill   the prompt evaluated in batches (n_batch 512, llama.cpp's default path)
 *   decode    one token per evaluation after the prompt (no sampling: fixed ids)
 * for each workload, with `llm.reset()` between them, and reports its own peak RSS
 * (getrusage ru_maxrss). logits_all is off (only the last position's logits), as a
 * generation needs.
 */
import { SparseInferenceError } from '../../../src/core/errors.js';
import { runChild } from './child-run.js';
import type { EngineReport, GgufWorkload } from './gguf-workloads.js';

const SCRIPT = String.raw`
import json, resource, sys, time
from llama_cpp import Llama
spec = json.load(open(sys.argv[1]))
n_ctx = max(w["context"] + w["decode"] for w in spec["workloads"]) + 8
llm = Llama(model_path=spec["model"], n_ctx=n_ctx, n_batch=512, n_threads=spec["threads"],
            n_threads_batch=spec["threads"], logits_all=False, verbose=False)
out = []
for w in spec["workloads"]:
    llm.reset()
    prompt, steps = w["prompt"], w["decodeTokens"]
    t0 = time.perf_counter()
    llm.eval(prompt)
    t1 = time.perf_counter()
    for tok in steps:
        llm.eval([tok])
    t2 = time.perf_counter()
    out.append({"name": w["name"], "prefillSeconds": t1 - t0, "decodeSeconds": t2 - t1})
print(json.dumps({"results": out, "peakRss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "version": __import__("llama_cpp").__version__}))
`;

/** Run the workloads on llama.cpp with `threads` threads; UNAVAILABLE when llama_cpp is missing. */
export async function runLlamaCpp(model: string, workloads: GgufWorkload[], threads: number): Promise<EngineReport> {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llamacpp-peer-'));
  try {
    const spec = path.join(dir, 'spec.json');
    fs.writeFileSync(spec, JSON.stringify({ model, threads, workloads }));
    const python = process.env.PYTHON ?? 'python3';
    const r = await runChild(python, ['-c', SCRIPT, spec]);
    if (r.code !== 0) {
      const last = r.stderr.trim().split('\n').slice(-1)[0] ?? '';
      throw new SparseInferenceError('UNAVAILABLE', `llama-cpp-python (${python}) failed: ${last}`);
    }
    const parsed = JSON.parse(r.stdout.trim().split('\n').slice(-1)[0]) as {
      results: { name: string; prefillSeconds: number; decodeSeconds: number }[]; peakRss: number; version: string };
    return { engine: `llama.cpp native (llama-cpp-python ${parsed.version})`, results: parsed.results, peakRss: parsed.peakRss };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
