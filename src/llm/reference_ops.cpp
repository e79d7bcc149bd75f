#include "llm/reference_ops.hpp"

#include <algorithm>
#include <cmath>

namespace sb::llm {

void rms_norm(std::span<const float> x, std::span<const float> weight, double eps, std::span<float> out) {
  double sum_of_squares = 0;
  for (float v : x) sum_of_squares += static_cast<double>(v) * v;
  const double scale = 1.0 / std::sqrt(sum_of_squares / static_cast<double>(x.size()) + eps);
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<float>(x[i] * scale * weight[i]);
}

double dot(const float* a, const float* b, std::int64_t n) {
  // Four independent partial sums, so that each addition need not wait for the previous one.
  double partial[4] = {0, 0, 0, 0};
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int k = 0; k < 4; ++k) partial[k] += static_cast<double>(a[i + k]) * b[i + k];
  }
  for (; i < n; ++i) partial[0] += static_cast<double>(a[i]) * b[i];
  return (partial[0] + partial[1]) + (partial[2] + partial[3]);
}

void linear(const float* x, std::int64_t rows, const Tensor& weight, const Tensor* bias, float* out) {
  const std::int64_t out_features = weight.shape[0];
  const std::int64_t in_features = weight.shape[1];
  // Weight row outside, token rows inside: a prefill reads each weight row once, not once per token.
  for (std::int64_t o = 0; o < out_features; ++o) {
    const float* w = weight.data.data() + o * in_features;
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* in = x + r * in_features;
      const double sum = dot(w, in, in_features) + (bias ? bias->data[o] : 0.0);
      out[r * out_features + o] = static_cast<float>(sum);
    }
  }
}

float silu(float x) { return static_cast<float>(x / (1.0 + std::exp(-static_cast<double>(x)))); }

void softmax(std::span<float> x) {
  const float max = *std::max_element(x.begin(), x.end());
  double sum = 0;
  for (float& v : x) {
    v = static_cast<float>(std::exp(static_cast<double>(v) - max));
    sum += v;
  }
  for (float& v : x) v = static_cast<float>(v / sum);
}

std::int32_t argmax(std::span<const float> x) {
  return static_cast<std::int32_t>(std::max_element(x.begin(), x.end()) - x.begin());
}

}  // namespace sb::llm
