#pragma once
// Rotary position embedding as Hugging Face computes it for Llama (modeling_rope_utils.py:
// _compute_default_rope_parameters and, for rope_type "llama3", _compute_llama3_parameters).
//
// Pair i of a head (i < head_dim / 2) rotates by the angle position * inv_freq[i], with
//   inv_freq[i] = rope_theta ^ (-2i / head_dim).
// Llama 3.1's scaling stretches the slow frequencies for long contexts. With wavelength
// w = 2 pi / inv_freq, L = original_max_position_embeddings:
//   w < L / high_freq_factor: unchanged;   w > L / low_freq_factor: divided by factor;
//   between: (1 - s) * inv_freq / factor + s * inv_freq, s = (L / w - low) / (high - low).
// Pairs are (x[i], x[i + head_dim / 2]) ("rotate_half"), not adjacent elements.
#include <cstdint>
#include <vector>

#include "llm/model_config.hpp"

namespace sb::llm {

std::vector<double> rope_inverse_frequencies(const ModelConfig& c);  // head_dim / 2 values

// Rotates one head vector x[0, head_dim) in place for `position`.
void apply_rope(float* x, std::int64_t head_dim, std::int64_t position, const std::vector<double>& inv_freq);

}  // namespace sb::llm
