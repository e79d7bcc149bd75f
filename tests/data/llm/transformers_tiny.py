# Reference values for tests/llm_reference_engine_test.cpp (MatchesTransformers): logits and greedy
# tokens of transformers' LlamaForCausalLM and Qwen2ForCausalLM, fp32 on the CPU, for the tiny model
# with sparkbench's synthetic weights (seed 1), regenerated here in numpy from the formula in
# src/llm/weights.hpp (bit-identical to the C++ generator). Writes $OUT/hf.json.
# Run (transformers 5.17.0, torch 2.11.0+cu130, numpy 2.x): OUT=. python3 transformers_tiny.py
import json,os,math
import numpy as np,torch,transformers as T
M=(1<<64)-1
U=np.uint64
def mix(z):
 z=((z^(z>>30))*0xbf58476d1ce4e5b9)&M;z=((z^(z>>27))*0x94d049bb133111eb)&M;return z^(z>>31)
def vmix(z):
 z=(z^(z>>U(30)))*U(0xbf58476d1ce4e5b9);z=(z^(z>>U(27)))*U(0x94d049bb133111eb);return z^(z>>U(31))
def val(k,sh):
 h=0xcbf29ce484222325
 for c in k.encode():h=((h^c)*0x100000001b3)&M
 with np.errstate(over="ignore"):b=vmix(U(mix(1^mix(h)))+np.arange(int(np.prod(sh)),dtype=U)*U(0x9e3779b97f4a7c15))
 u=(b>>U(40)).astype(np.float32)*np.float32(2/16777216)-np.float32(1)
 f=np.float32;s=f(math.sqrt(3));o=0.0
 if k.endswith("norm.weight"):o,s=1.0,f(0.1)
 elif k.endswith(".bias"):s=f(0.02)*s
 elif "embed" in k or "lm_head" in k:s=f(2)*s/np.sqrt(f(128))
 else:s=s/np.sqrt(f(sh[1]))
 return torch.from_numpy((o+np.float64(s)*u.astype(np.float64)).astype(np.float32).reshape(sh))
B=dict(hidden_size=128,intermediate_size=384,num_hidden_layers=2,num_attention_heads=4,num_key_value_heads=2,vocab_size=512)
R={"factor":8.0,"high_freq_factor":4.0,"low_freq_factor":1.0,"original_max_position_embeddings":8192,"rope_type":"llama3"}
ms={"llama":T.LlamaForCausalLM(T.LlamaConfig(**B,head_dim=32,max_position_embeddings=131072,rms_norm_eps=1e-5,rope_theta=5e5,rope_scaling=R)),
"qwen":T.Qwen2ForCausalLM(T.Qwen2Config(**B,max_position_embeddings=4096,rms_norm_eps=1e-6,rope_theta=1e6,tie_word_embeddings=True))}
p=torch.tensor([[1,7,42,300,511,3,99,256]])
out={"v":[T.__version__,torch.__version__]}
for n,m in ms.items():
 m=m.float().eval()
 sd={k:val(k,tuple(v.shape)) for k,v in m.state_dict().items() if "rotary" not in k and not (n=="qwen" and k=="lm_head.weight")}
 r=m.load_state_dict(sd,strict=False)
 with torch.no_grad():
  l=m(p).logits[0,-1].tolist();g=m.generate(p,attention_mask=torch.ones_like(p),max_new_tokens=6,min_new_tokens=6,do_sample=False,pad_token_id=0)[0,8:].tolist()
 out[n]={"r":str(r),"logits":l,"greedy":g}
json.dump(out,open(os.environ["OUT"]+"/hf.json","w"))
print(out["v"],out["llama"]["greedy"],out["qwen"]["greedy"],out["llama"]["r"],out["qwen"]["r"])
