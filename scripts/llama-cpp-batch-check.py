#!/usr/bin/env python3
"""How far llama.cpp's logits move against themselves: the 'numbers' prompt of the oracle fixture
evaluated in one batch of 512 and token by token (n_batch = 1), both with a float32 KV cache.
Prints the largest |Δ| over all logits and over the fixture's top-3 ids, and the top-1 agreement.
It bounds what agreement with llama.cpp can mean (docs/llama.md, "Checked against llama.cpp").

Run: python3 scripts/llama-cpp-batch-check.py [models/SmolLM2-135M-Instruct.Q4_1.gguf]
"""
import json, sys
import numpy as np
from llama_cpp import Llama

MODEL = sys.argv[1] if len(sys.argv) > 1 else "models/SmolLM2-135M-Instruct.Q4_1.gguf"
fixture = json.load(open("test/fixtures/llama/smollm2-oracle.json"))
prompt = [p for p in fixture["prompts"] if p["name"] == "numbers"][0]
tokens = prompt["tokens"]
logits = {}
for batch in (512, 1):
    llm = Llama(model_path=MODEL, n_ctx=256, n_batch=batch, n_ubatch=batch, n_threads=2, logits_all=True, verbose=False,
                type_k=0, type_v=0)
    llm.reset()
    llm.eval(tokens)
    logits[batch] = np.array(llm.scores[: len(tokens)], dtype=np.float64)
a, b = logits[512], logits[1]
top = np.array(prompt["topIds"])
print("max |Δ| over all logits:", float(np.abs(a - b).max()))
print("max |Δ| over the top-3 ids:", float(max(np.abs(a[i, top[i]] - b[i, top[i]]).max() for i in range(len(tokens)))))
print("top-1 agreement:", int((a.argmax(1) == b.argmax(1)).sum()), "/", len(tokens))
