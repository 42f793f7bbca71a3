#!/usr/bin/env python3
"""llama.cpp's own logits for the SmolLM2 GGUF, as test fixtures (test/fixtures/llama/smollm2-oracle.json).

llama-cpp-python (pip; it builds llama.cpp from source) evaluates each prompt with logits for every
position. Token ids come from llama.cpp's own tokenizer and are recorded, so the test does not
depend on ours. Per position we keep the top-3 token ids and logits and the NLL of the next
token; for the long document also the mean NLL over all its predicted positions.

The KV cache is float32 (type_k = type_v = GGML_TYPE_F32), the precision ours has, so what is
compared is the rest of the computation; llama.cpp's default cache is float16, and with it llama.cpp
also rounds q and the softmax weights to float16 (its K·q and V·p products take f16 operands).
`--kv f16` records that default configuration instead (test/fixtures/llama/smollm2-oracle-kv-f16.json).

Run: python3 scripts/llama-cpp-oracle.py [--kv f32|f16] [models/SmolLM2-135M-Instruct.Q4_1.gguf]
"""
import json, os, sys, time
import numpy as np
import llama_cpp
from llama_cpp import Llama

args = sys.argv[1:]
KV = "f32"
if args[:1] == ["--kv"]:
    KV, args = args[1], args[2:]
assert KV in ("f32", "f16"), "--kv must be f32 or f16"
MODEL = args[0] if args else "models/SmolLM2-135M-Instruct.Q4_1.gguf"
GGML_TYPE = {"f32": 0, "f16": 1}[KV]
OUT = "test/fixtures/llama/smollm2-oracle.json" if KV == "f32" else "test/fixtures/llama/smollm2-oracle-kv-f16.json"
STORIES = "/work/shared/data/tinystories_sample.txt"
DOC_TOKENS = 4096

PROMPTS = [
    ("chat", "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n"),
    ("code", "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n    if n < 2:\n        return n\n    return"),
    ("prose", "The history of the printing press begins in the fifteenth century, when Johannes Gutenberg"),
    ("numbers", "1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584,"),
]

llm = Llama(model_path=MODEL, n_ctx=DOC_TOKENS + 16, n_batch=512, n_threads=2, logits_all=True, verbose=False, seed=0,
            type_k=GGML_TYPE, type_v=GGML_TYPE)

def evaluate(tokens):
    llm.reset()
    llm.eval(tokens)
    return np.array(llm.scores[: len(tokens)], dtype=np.float64)

def record(name, tokens, top=3):
    t0 = time.time()
    logits = evaluate(tokens)
    mx = logits.max(axis=1, keepdims=True)
    logz = (mx + np.log(np.exp(logits - mx).sum(axis=1, keepdims=True)))[:, 0]
    order = np.argsort(-logits, axis=1)[:, :top]
    nll = [float(logz[i] - logits[i, tokens[i + 1]]) for i in range(len(tokens) - 1)]
    print(f"{name}: {len(tokens)} tokens, mean NLL {np.mean(nll):.5f}, {time.time() - t0:.1f} s", file=sys.stderr)
    return {
        "name": name, "tokens": [int(t) for t in tokens],
        "topIds": [[int(j) for j in row] for row in order],
        "topLogits": [[round(float(logits[i, j]), 4) for j in row] for i, row in enumerate(order)],
        "nll": [round(x, 5) for x in nll], "meanNll": float(np.mean(nll)),
    }

prompts = [record(n, llm.tokenize(text.encode(), add_bos=False, special=True)) for n, text in PROMPTS]
with open(STORIES, encoding="utf-8") as f:
    text = f.read(60000)
doc = llm.tokenize(text.encode(), add_bos=False, special=False)[:DOC_TOKENS]
prompts.append(record("tinystories-4096", doc))

out = {"model": os.path.basename(MODEL), "llamaCpp": llama_cpp.__version__, "threads": 2, "kvCache": KV, "prompts": prompts}
os.makedirs("test/fixtures/llama", exist_ok=True)
with open(OUT, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote " + OUT, file=sys.stderr)
