#!/usr/bin/env python3
"""Writes a Llama-3.1-8B-shaped model.safetensors (every tensor BF16, random values, Hugging Face names
and layout, as transformers' save_pretrained would write it), one tensor at a time, so that it never
holds the model in memory. The safetensors counterpart of ../shared/tools/make_gguf.py, for
tools/checkpoint_load_bench.sh. Needs torch (on the GPU when there is one, for fast random numbers).
usage: python3 make_safetensors.py OUT.safetensors [layers]"""
import json, math, struct, sys, time
import torch

out = sys.argv[1]; L = int(sys.argv[2]) if len(sys.argv) > 2 else 32
d, ff, nh, nkv, hd, V = 4096, 14336, 32, 8, 128, 128256
t0 = time.time()
shapes = [("model.embed_tokens.weight", (V, d))]
for i in range(L):
    p = f"model.layers.{i}."
    shapes += [(p + "input_layernorm.weight", (d,)), (p + "self_attn.q_proj.weight", (nh * hd, d)),
               (p + "self_attn.k_proj.weight", (nkv * hd, d)), (p + "self_attn.v_proj.weight", (nkv * hd, d)),
               (p + "self_attn.o_proj.weight", (d, nh * hd)), (p + "post_attention_layernorm.weight", (d,)),
               (p + "mlp.gate_proj.weight", (ff, d)), (p + "mlp.up_proj.weight", (ff, d)),
               (p + "mlp.down_proj.weight", (d, ff))]
shapes += [("model.norm.weight", (d,)), ("lm_head.weight", (V, d))]

header, offset = {"__metadata__": {"format": "pt"}}, 0
for name, shape in shapes:
    size = 2 * math.prod(shape)
    header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + size]}
    offset += size
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)  # the data section starts 8-byte aligned, as safetensors writes it

device = "cuda" if torch.cuda.is_available() else "cpu"
g = torch.Generator(device=device).manual_seed(1)
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for name, shape in shapes:
        if name.endswith("norm.weight"):
            t = torch.ones(shape, device=device)
        else:
            t = torch.randn(shape, generator=g, device=device) * 0.02
        f.write(t.to(torch.bfloat16).view(torch.int16).cpu().numpy().tobytes())
print(f"wrote {out} ({L} layers, {offset / 2**30:.1f} GiB) in {time.time() - t0:.1f} s", flush=True)
