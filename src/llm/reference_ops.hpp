#pragma once
// The arithmetic of the reference engine, one plain loop each, fp32 values with double
// accumulation: slow, but the numbers the CUDA engine is checked against.
#include <cstdint>
#include <span>

#include "llm/weights.hpp"

namespace sb::llm {

// out = x / sqrt(mean(x^2) + eps) * weight (Hugging Face's LlamaRMSNorm). `out` may alias `x`.
void rms_norm(std::span<const float> x, std::span<const float> weight, double eps, std::span<float> out);

// sum of a[i] * b[i] in double.
double dot(const float* a, const float* b, std::int64_t n);

// out[r, :] = W x[r, :] (+ bias) for `rows` row vectors; W is [out_features, in_features].
// `bias` may be null.
void linear(const float* x, std::int64_t rows, const Tensor& weight, const Tensor* bias, float* out);

float silu(float x);  // x * sigmoid(x)

// In place: exp(x - max) / sum, so that large logits do not overflow.
void softmax(std::span<float> x);

// Index of the largest value; the lowest such index on ties (what torch.argmax returns).
std::int32_t argmax(std::span<const float> x);

}  // namespace sb::llm
