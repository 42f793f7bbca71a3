#!/usr/bin/env python3
"""Oracle for src/llama/gguf/dequantize.ts: ggml blocks and their float32 decoding by gguf-py
(numpy; llama.cpp's own Python package, `pip install gguf`), written to
test/fixtures/llama/gguf-dequant.json.

  synthetic: random rows (with outliers and a constant row) quantized by gguf-py to each type.
  smollm2:   slices of the real SmolLM2-135M-Instruct Q4_1 file (skipped if the model is absent).

Run: python3 scripts/gguf-dequant-fixture.py [models/SmolLM2-135M-Instruct.Q4_1.gguf]
"""
import base64, json, os, sys
import numpy as np
from gguf import GGUFReader
from gguf.quants import quantize, dequantize
from gguf.constants import GGMLQuantizationType as T

rng = np.random.default_rng(13)
out = {"synthetic": [], "smollm2": []}
rows = rng.standard_normal((3, 96)).astype(np.float32)
rows[1, 5] = 40.0           # an outlier block
rows[2, :] = 0.25           # a constant row (Q4_1: d = 0)
for t in (T.F32, T.F16, T.BF16, T.Q4_0, T.Q4_1, T.Q8_0):
    q = quantize(rows, t)
    deq = dequantize(q, t).astype(np.float32)
    out["synthetic"].append({"type": t.name, "elements": int(rows.size),
                             "bytes": base64.b64encode(q.tobytes()).decode(),
                             "values": [float(v) for v in deq.ravel()]})

path = sys.argv[1] if len(sys.argv) > 1 else "models/SmolLM2-135M-Instruct.Q4_1.gguf"
if os.path.exists(path):
    r = GGUFReader(path)
    for t in r.tensors:
        if t.name not in ("token_embd.weight", "blk.0.attn_q.weight", "blk.29.ffn_down.weight", "output_norm.weight"):
            continue
        deq = dequantize(t.data, t.tensor_type).astype(np.float32).reshape(-1)
        row = int(t.shape[0])
        take = [0, 1, deq.size // row - 1]  # first, second and last rows
        out["smollm2"].append({"name": t.name, "type": t.tensor_type.name, "rowLength": row,
                               "rows": {str(i): [float(v) for v in deq[i * row:i * row + 64]] for i in take},
                               "sum": float(deq.astype(np.float64).sum())})

os.makedirs("test/fixtures/llama", exist_ok=True)
with open("test/fixtures/llama/gguf-dequant.json", "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote test/fixtures/llama/gguf-dequant.json")
