#!/usr/bin/env python3
"""Oracle for test/llama/bpe-tokenizer.test.ts: SmolLM2's byte-level BPE run by Hugging Face
`tokenizers` (Rust) on a varied corpus, cross-checked against llama.cpp's own tokenizer.

Also renders the model's chat template (`tokenizer.chat_template`) with jinja2 as transformers
does (sandboxed, trim_blocks, lstrip_blocks) for a few conversations, for formatChat's test.

The HF tokenizer is rebuilt from the GGUF metadata (no network to the HF hub): the vocabulary
(`tokenizer.ggml.tokens`), the merges (`tokenizer.ggml.merges`), the 17 control tokens
(`tokenizer.ggml.token_type` == 3) as special added tokens, and the pipeline of SmolLM2's
published tokenizer.json, which is what llama.cpp's `tokenizer.ggml.pre = "smollm"` stands for:
  pre-tokenizer  Sequence[Digits(individual_digits=True), ByteLevel(add_prefix_space=False)]
  model          BPE (no dropout, no byte fallback), decoder ByteLevel, no BOS/EOS added.
llama.cpp (`Llama(vocab_only=True).tokenize(..., add_bos=False, special=True)`) reads the GGUF
with its own C++ pre-tokenizer for "smollm", so agreement with it checks that choice.

Usage (from the repository root; needs pip packages tokenizers, gguf, llama-cpp-python):
  python3 scripts/tokenizer-oracle.py models/SmolLM2-135M-Instruct.Q4_1.gguf \
      ../shared/data/tinystories_sample.txt > test/fixtures/llama/smollm2-tokenizer.json
"""
import json
import random
import sys

import gguf
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

CONTROL = 3


def read_metadata(path):
    r = gguf.GGUFReader(path)
    f = r.fields
    n = len(f['tokenizer.ggml.tokens'].data)
    tokens = [f['tokenizer.ggml.tokens'].contents(i) for i in range(n)]
    types = [f['tokenizer.ggml.token_type'].contents(i) for i in range(n)]
    merges = [f['tokenizer.ggml.merges'].contents(i) for i in range(len(f['tokenizer.ggml.merges'].data))]
    assert f['tokenizer.ggml.model'].contents() == 'gpt2'
    assert f['tokenizer.ggml.pre'].contents() == 'smollm'
    return tokens, types, merges, f['tokenizer.chat_template'].contents()


def hf_tokenizer(tokens, types, merges):
    vocab = {t: i for i, t in enumerate(tokens)}
    pairs = [tuple(m.split(' ')) for m in merges]
    tk = Tokenizer(models.BPE(vocab=vocab, merges=pairs, unk_token='<|endoftext|>', fuse_unk=False, byte_fallback=False))
    tk.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tk.decoder = decoders.ByteLevel()
    tk.add_special_tokens([AddedToken(t, special=True, normalized=False) for t, ty in zip(tokens, types) if ty == CONTROL])
    return tk


CODE = [
    'def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n',
    'export function clamp(x: number, lo = 0, hi = 1): number {\n\treturn Math.min(hi, Math.max(lo, x));\n}\n',
    '#include <stdio.h>\nint main(void) { printf("%d\\n", 42); return 0; }\n',
    'SELECT id, name FROM users WHERE age >= 18 AND name LIKE \'%a%\';',
    '<div class="x">&nbsp;<a href="https://example.com/?q=1&r=2">link</a></div>',
    '{"key": [1, 2.5e-3, null, true], "nested": {"a": "b"}}',
    'for (let i = 0; i < n; i++) { sum += a[i] * b[i]; } // dot product',
    'x = [i**2 for i in range(10) if i % 3 == 0]  # squares',
    '    \t  indented with tabs\t\tand spaces   \n\n\n',
    'fn main() -> Result<(), Box<dyn Error>> { let v: Vec<u8> = vec![0xFF; 16]; Ok(()) }',
    '$ git commit -m "fix: don\'t crash" && npm run build 2>&1 | tail -n 5',
    'C:\\Users\\me\\file.txt  /usr/local/bin/node  ~/.config/',
    'a_b-c.d/e:f;g,h!i?j(k)[l]{m}<n>o@p#q$r%s^t&u*v+w=x|y~z`',
    'if (x != y && z >= 0 || !flag) return -1;',
    'I\'m sure they\'ll say it\'s what we\'d\'ve done; THEY\'RE and WE\'VE and I\'LL.',
]

UNICODE = [
    '日本語のテキストです。漢字とひらがな。', '中文文本，包括标点符号！', '한국어 텍스트입니다',
    'Emoji: 😀🎉👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️', 'flags 🇫🇷🇯🇵 and keycaps 1️⃣ #️⃣',
    'Combining: e\u0301 a\u0308 n\u0303 o\u0302\u0323 Z\u0351\u0352\u0353', 'precomposed: é ä ñ ộ',
    'RTL: שלום עולם, مرحبا بالعالم', 'mixed בעברית and English ومع العربية 123',
    'Cyrillic: Привет, мир! Ёжик', 'Greek: Αλφα βήτα γάμμα Ωμέγα', 'Thai: สวัสดีครับ', 'Hindi: नमस्ते दुनिया',
    'math: ∀x∈ℝ, x² ≥ 0; ∑ᵢ aᵢ ≤ ∞; √2 ≈ 1.414', 'currency: €100 £50 ¥1000 ₹500 ₿0.1',
    'zero\u200bwidth\u200cjoiner\u200d\ufeffbom', 'nbsp\u00a0here\u2003em space\u3000ideographic',
    'fullwidth ＡＢＣ１２３', 'Ⅻ roman ⅻ and ½ ¾ fractions ① circled', 'arabic digits ٠١٢٣٤٥٦٧٨٩ and ०१२३',
    '\U0001F600' * 5, 'ＴＯＫＥＮ', 'ǅ titlecase ǈ', 'ß ẞ ﬁ ﬀ ligatures', 'tab\tnewline\ncarriage\rreturn\r\n',
    '\u0000nul\u0001ctrl\u007fdel', 'music 𝄞 and math 𝔸𝔹ℂ', 'ò̶̢͈͎̀̽ṽ̶͎̓ȩ̷̛̼r̷̨̛͖̈́ḽ̸̓ȃ̷̡͍y̸̱̾',
]

DIGITS = [
    '0', '7', '42', '123456789012345678901234567890', '3.14159265358979', '1,000,000', '-12e+34',
    'year 2024 and 1999', 'phone +1 (555) 010-9999', '0x1F 0b1010 0o17', 'v1.2.3-rc.4', '1st 2nd 3rd 4th',
    '١٢٣ ٤٥٦', '²³ ⁴⁵', '12:34:56.789', 'a1b2c3d4', ' 9', '  99  ', '9 9 9', '100%',
]

WHITESPACE = [
    ' ', '  ', '   ', '\n', '\n\n', '\t', ' \n ', 'a  b', 'a   b', 'a\n\nb', 'a \n b', 'trailing   ',
    '   leading', ' \t \t ', '\r\n\r\n', 'x' + ' ' * 40 + 'y', 'line\n' * 10, '\u00a0\u00a0a', '\u2028sep\u2029',
    'word \n', 'a\tb\t\tc',
    # Which characters count as whitespace (\s) differs between regex engines: U+0085 is, U+FEFF is not.
    'a\x85\x85b', 'a\ufeff\ufeffb', 'a\u180e\u180eb', 'a\u2028\u2029b c', 'a\x1c\x1cb', '\u3000\u3000x',
    'a\u202f\u202fb', 'a\x85 b\x85', ' \x85\ufeff ',
]

# Bytes with no token in SmolLM2's vocabulary (0x04 0x06 0x13 0x14 0x16 0x1D, and the lead bytes
# 0xF1 0xF2 of planes 1-2 of the supplementary range): HF emits the unknown token for each, llama.cpp
# drops them, so these are the expected llama.cpp differences.
MISSING_BYTES = ['a\x04b', 'x \x04\x05 y', '\x13\x14\x16\x1d', 'ctrl\x06', '\U00040000 plane 4', 'q\U0008ffffq']

SPECIAL = [
    '<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n', '<|endoftext|>', '<|im_start|><|im_end|>',
    'text<|endoftext|>more text', 'half <|im_start and <im_end|> are not special', '<|endoftext|><|endoftext|>',
    '<filename>a.py<file_sep>print(1)<gh_stars>10', ' <|im_start|> spaced <|im_end|> ', '<|IM_START|> upper case',
    '<jupyter_code>x = 1<jupyter_output>1<empty_output>', '<<|im_end|>>', '<|im_start|>system\nYou are helpful.<|im_end|>',
]

POOLS = [
    'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789', ' ', '  \t\n', '.,;:!?\'"()[]{}-_/\\@#$%^&*+=<>|~`',
    'éèêëàâäôöûüçñß', 'αβγδΩЖЯ', '日本語中文한국', '😀🎉👍🏽❤️', '\u0301\u0308\u200d', 'שלוםمرحبا', '٠١٢³½',
]


def random_text(rng, n):
    out = []
    for _ in range(n):
        pool = POOLS[rng.randrange(len(POOLS))]
        k = rng.choice([1, 1, 2, 3, 5, 8])
        out.append(''.join(rng.choice(pool) for _ in range(k)))
    return ''.join(out)


def corpus(stories_path):
    text = open(stories_path, encoding='utf-8').read()
    stories = [s.strip('\n') for s in text.split('<|endoftext|>') if s.strip()]
    cases = [('empty', '')]
    cases += [('story', s) for s in stories[:80]]
    cases += [('story-lines', line) for s in stories[120:140] for line in s.split('\n') if line]
    cases.append(('story-long', '<|endoftext|>'.join(stories[140:150])))
    cases += [('code', c) for c in CODE]
    cases += [('unicode', c) for c in UNICODE]
    cases += [('digits', c) for c in DIGITS]
    cases += [('whitespace', c) for c in WHITESPACE]
    cases += [('special', c) for c in SPECIAL]
    cases += [('missing-bytes', c) for c in MISSING_BYTES]
    rng = random.Random(20261207)
    cases += [('random', random_text(rng, rng.randrange(1, 40))) for _ in range(200)]
    return cases


CONVERSATIONS = [
    ([{'role': 'user', 'content': 'Hello!'}], True),
    ([{'role': 'user', 'content': 'Hello!'}], False),
    ([{'role': 'system', 'content': 'You are terse.'}, {'role': 'user', 'content': 'What is 2+2?'},
      {'role': 'assistant', 'content': '4.'}, {'role': 'user', 'content': 'And 3+3?'}], True),
    ([{'role': 'user', 'content': 'Write a haiku.'}, {'role': 'assistant', 'content': 'Old pond\nfrog jumps in\nsplash'}], False),
    ([{'role': 'user', 'content': 'Ünïcödé 😀, RTL שלום, and <|im_end|> written as text'}], True),
    ([{'role': 'user', 'content': ''}, {'role': 'tool', 'content': '{"x": 1}'}], True),
    ([], True),
    ([], False),
]


def render_chats(template):
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    t = env.from_string(template)
    return [{'messages': m, 'addGenerationPrompt': g, 'text': t.render(messages=m, add_generation_prompt=g)}
            for m, g in CONVERSATIONS]


def main():
    gguf_path, stories_path = sys.argv[1], sys.argv[2]
    tokens, types, merges, template = read_metadata(gguf_path)
    tk = hf_tokenizer(tokens, types, merges)
    from llama_cpp import Llama
    lcpp = Llama(model_path=gguf_path, vocab_only=True, verbose=False)
    out, disagree = [], []
    for kind, text in corpus(stories_path):
        ids = tk.encode(text).ids
        decoded = tk.decode(ids, skip_special_tokens=False)
        theirs = lcpp.tokenize(text.encode('utf-8'), add_bos=False, special=True)
        if theirs != ids:
            disagree.append({'kind': kind, 'text': text, 'hf': ids, 'llamaCpp': theirs})
        case = {'kind': kind, 'text': text, 'ids': ids, 'decoded': decoded}
        if kind == 'special':
            # Special tokens written in the text read as plain text (HF encode_special_tokens,
            # llama.cpp special=False).
            tk.encode_special_tokens = True
            case['idsNoSpecial'] = tk.encode(text).ids
            tk.encode_special_tokens = False
            theirs = lcpp.tokenize(text.encode('utf-8'), add_bos=False, special=False)
            if theirs != case['idsNoSpecial']:
                disagree.append({'kind': kind + '-as-text', 'text': text, 'hf': case['idsNoSpecial'], 'llamaCpp': theirs})
        out.append(case)
    for d in disagree:
        print(f"llama.cpp differs from HF on {d['kind']} {d['text'][:60]!r}", file=sys.stderr)
    header = {
        'source': 'scripts/tokenizer-oracle.py: Hugging Face tokenizers rebuilt from the GGUF metadata of '
                  'SmolLM2-135M-Instruct.Q4_1.gguf; llama.cpp (llama-cpp-python) cross-check',
        'tokenizersVersion': __import__('tokenizers').__version__,
        'llamaCppPythonVersion': __import__('llama_cpp').__version__,
        'llamaCppChecks': len(out) + sum('idsNoSpecial' in c for c in out),
        'llamaCppAgrees': len(out) + sum('idsNoSpecial' in c for c in out) - len(disagree),
        'llamaCppDiffers': disagree,
        'chatTemplate': template,
        'chats': [dict(c, ids=tk.encode(c['text']).ids) for c in render_chats(template)],
    }
    # One case per line keeps the fixture small and its diffs readable.
    head = json.dumps(header, ensure_ascii=False)[:-1]
    sys.stdout.write(head + ',\n"cases": [\n')
    sys.stdout.write(',\n'.join(json.dumps(c, ensure_ascii=False, separators=(',', ':')) for c in out))
    sys.stdout.write('\n]}\n')
    print(f"{len(out)} cases, llama.cpp agrees with HF on {header['llamaCppAgrees']} of {header['llamaCppChecks']} encodings", file=sys.stderr)


if __name__ == '__main__':
    main()
