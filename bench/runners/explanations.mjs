// Why a target is missed, for the misses that were investigated. merge.mjs prints an entry
// under "Targets missed" only while its ratio actually fails in the merged results, so a fixed
// gap never leaves a stale excuse behind. Keys: suite, a pattern on the ratio name, and
// optionally the runtimes it applies to.

export const EXPLANATIONS = [
  {
    suite: 'peers',
    ratio: /^gemv 4096x4096/,
    text: 'Closed by `gemvPacked` (the row above: ours on prepacked weights, as every peer prepacks its '
      + 'initializer); the row-major `gemv` stays behind, for a reason of layout. Investigation (session 2, '
      + 'scripts in the issue note): (1) not machine code — V8\'s optimised x86 for MLAS\'s inner loop and ours '
      + 'are alike (offsets folded into loads, no bounds checks, 4.6–5 loads per cache line), and reshaping our '
      + 'loop (immediate row offsets, pointer increments, 5–10 rows, 8 columns per step) moved nothing beyond '
      + '0.73–0.78 of the streaming read; (2) most of session 1\'s "peers stream faster than our roofline" was '
      + 'page placement — on this VM the same streaming read runs 1.11–1.35x faster over buffers allocated later '
      + '(native C shows ~15 % between guest-physical regions), and the suite used to allocate our W first; it '
      + 'now gives every contestant two copies in mirrored allocation order; (3) on identical pages the gap is '
      + 'the layout: row-major W can be read as one stream only one 16 KB row at a time, which evicts x from '
      + 'the 32 KB L1 at 4096 columns (0.50–0.61 of the streaming read), or several rows side by side, which '
      + 'the prefetchers serve worse (2–16 rows: 0.61–0.94) and which re-reads x from L2 once per row block '
      + '(10–12 %). MLAS and the packed layout (column blocks of 256, 16-row panels) read one sequential stream '
      + 'with their slice of x in L1: on the same pages ours packed ran at 0.99–1.04 of the streaming read, '
      + 'MLAS 0.73–0.77, our row-major gemv 0.66–0.68.',
  },
  {
    suite: 'peers',
    ratio: /^gemvPacked 4096x4096/,
    text: 'Parity within the run-to-run spread, not a gap in the kernel: `gemvPacked` runs at 0.95–1.02 of '
      + 'our own streaming read over the same pages (the ratio row "ours / streaming read of the same pages"), '
      + 'i.e. at the memory roofline of its buffers. Which physical pages a 64 MB buffer gets moves a streaming '
      + 'read by up to 1.3x on this VM, and the peers\' prepacked weights live in their own allocations; the '
      + 'suite alternates two copies per contestant in mirrored allocation order to even this out, but single '
      + 'runs still land on either side of 1 (session 2: 0.956, 1.03, 1.11, 1.15, 1.17 across full and quick '
      + 'runs in Node, Deno and Chromium).',
  },
  {
    suite: 'peers',
    ratio: /^gemv 1024x1024/,
    text: 'At 1024×1024 (4 MB, in cache) ours and onnxruntime-web are within each other\'s interquartile '
      + 'range (interleaved A/B, CPU clock: 83.0 µs vs 85.0 µs); the ratio lands on either side of 1 from run to run.',
  },
  {
    suite: 'peers',
    ratio: /^topK n65536_k1024/,
    text: 'kernels.topK keeps a k-heap over all n elements: O(n log k) with unpredictable branches, 0.44 ms at '
      + 'k = 1024. tf.topk is faster (0.18 ms). Our own topKSelect finds the same set in 0.03 ms; ordering '
      + 'the k winners afterwards costs O(k log k). A patch (select, then heap-order the winners, for '
      + 'n ≥ 16384; identical output, ties included) measured 64 µs here — 2.8x faster than tf.topk and 7x '
      + 'the current kernel — and is proposed to the kernel owners (topk-select-then-order.patch).',
  },
  {
    suite: 'peers',
    ratio: /^l2sqrBatch/,
    runtimes: ['browser', 'deno'],
    text: 'Ours and XNNPACK\'s product are within about 10 % of each other, and the peer is timed on X·Cᵀ '
      + 'alone (a lower bound on what it needs for distances). Under Deno (V8 15) our kernel runs about 10 % '
      + 'slower than under Node 20 (9.4 against 8.5 ms at n = 1024) while XNNPACK\'s runs slightly faster; in '
      + 'the browser the wall clock on the shared machine adds descheduled time to whichever samples it hits '
      + '(see the task\'s p75), so single quick runs land on either side of 1.',
  },
  {
    suite: 'kernels',
    ratio: /: wasm vs reference$/,
    runtimes: ['deno'],
    text: 'Deno 2.9 runs V8 15 against Node 20\'s V8 11.3: the plain-JavaScript reference backend runs about '
      + 'twice as fast there (gemv 4096×4096: 14.3 ms against 28.2 ms in the same quick runs), while the wasm '
      + 'kernels, bound by memory bandwidth, run at the same speed (3.25 ms against 3.62 ms). The speed-up '
      + 'over the reference therefore shrinks in Deno; the wasm kernel did not get slower.',
  },
  {
    suite: 'kernels',
    ratio: /GB\/s vs sum 64 MB GB\/s/,
    runtimes: ['browser'],
    text: 'Browsers have no CPU-time clock: the wall clock on the shared 2-core machine puts descheduled '
      + 'time into the samples of whichever task is running, so roofline fractions from the browser scatter '
      + 'by ±10 % between runs (Node and Deno use process CPU time).',
  },
  {
    suite: 'llama-runc',
    ratio: /stories260K: ours \/ run\.c -Ofast/,
    text: 'Per-token overhead is gone from the decode step but not from a whole short run. One decoder layer '
      + 'is now one WebAssembly call (`decoderLayer`; before: ~15 kernel calls per layer, each through shape '
      + 'checks and argument marshalling, ~100 per token), generate streams ASCII pieces without TextDecoder, '
      + 'and in one process the decode loop from the second generation on runs at 6,000–8,500 tok/s of CPU '
      + 'time (in-process, session 3), where run.c -Ofast printed 3,900–13,400 tok/s in this session\'s runs. '
      + 'What remains is the cold start of a fresh process: the first 256-token generation runs while V8 '
      + 'still compiles the JavaScript around each step and tiers WebAssembly up from Liftoff to TurboFan '
      + '(first generation 3,200–4,300 tok/s CPU time, up from ~1,500 before `decoderLayer`; node --cpu-prof '
      + 'attributes most of the rest to selectiveAttention, expShiftSum and dot, i.e. the attention arithmetic '
      + 'run.c does too, with 128-bit instead of AVX vectors). '
      + 'Against run.c -O3 (the brief\'s build, strict float: scalar dot products) ours is above target. '
      + 'All runs are wall clock on a 2-core machine shared with other jobs (load 10–16), so single ratios '
      + 'scatter widely (see p25–p75).',
  },
  {
    suite: 'llama-runc',
    ratio: /110M-shapes: ours \/ run\.c -Ofast/,
    text: 'Weight streaming decides here (438 MB of float32 weights per token); `decoderLayer` changes '
      + 'nothing, our gemv is the same kernel as before (0.87 of the streaming-read roofline on a quiet '
      + 'machine, `llama` suite). run.c -Ofast (AVX2/AVX-512 vectorised reductions, gcc) streams the same bytes '
      + 'faster under this machine\'s load (10–16 on 2 cores, other jobs competing for memory bandwidth), where '
      + 'our 128-bit WebAssembly loop issues half as many bytes per instruction. Against run.c -O3 (strict '
      + 'float, scalar) ours is 2.1x. The earlier 0.71–0.94x figure for this shape matches the -Ofast build.',
  },
  {
    suite: 'llama-gguf',
    ratio: /ours \/ llama\.cpp native/,
    text: 'Decode attention is now one causalAttention row per layer (each 64-key tile read once for the three '
      + 'query heads that share it) instead of head by head: 65–67 ms → 43–44 ms per token for 30 layers at 4096 '
      + 'positions (scripts/decode-attention-ab.mts, CPU clock), and this run\'s 1-thread decode at 4096 went from '
      + '216 to 188 ms/token (0.51x → 0.67x of llama.cpp, PASS). The other 1-thread rows are load, not code: '
      + 'this run started at load 11.9 on 2 cores (other agents testing), ours decoded at ctx 128 in 94 ms/token '
      + '(p25–p75 53–135) where the branch-point build took 28.7 ms/token on a calmer machine (load 1.4, '
      + 'bench/lib/profile/gguf-decode.ts; attention is 6 % of a step at ctx 128, so this session\'s change does not '
      + 'move it) against llama.cpp\'s 19.4–21.5 ms in the same minutes (a 0.68–0.75x ratio); the '
      + 'prefill code did not change since the previous run\'s 0.69x at 4096 (now 0.48x). Where decode time goes at '
      + 'ctx 128 (profile, load 1.4): gemvQ4_1Q8_1 62 %, gemvQ8_0Q8_1 (the tied 49152×576 classifier) 25 %, attention '
      + '6 %, quantizeQ8_1 1.5 %. llama.cpp\'s integer kernels use 256/512-bit registers (AVX2/AVX-512 VNNI) where '
      + 'WebAssembly SIMD has 128 bits and no 8-bit multiply-add (relaxed-simd is off in Node 20), and F16C for its '
      + 'binary16 KV cache (ours is float32 by default: binary16 costs 15–25 % more decode time at 4096 in WebAssembly; '
      + 'docs/llama.md, KV cache precision). Two threads: llama.cpp\'s OpenMP threads spin and collapse under this '
      + 'load (0.5–1.2 tok/s decode), so the 2-thread PASS rows say little. Peak RSS (whole process, 4096 tokens of '
      + 'context): ours 3.87x the 98 MB file (was 4.2x), llama.cpp 3.95x (llama-cpp-python with logits for all '
      + 'positions); with kvType \'f16\' our float32 cache of 189 MB would be 94 MB.',
  },
  {
    suite: 'llama-gguf',
    ratio: /ours \/ wllama/,
    text: 'wllama runs llama.cpp\'s own kernels compiled to WebAssembly SIMD (the same 128-bit limits as '
      + 'ours, integer dot products on 8-bit activations), in a Chromium worker; its speeds are those llama.cpp\'s '
      + 'server code reports (timings), ours from a fresh Node process, both wall clock under the same load.',
  },
];
