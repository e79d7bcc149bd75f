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

void linear(const float* x, std::int64_t rows, const Tensor& weight, const Tensor* bias, float* out) {
  const std::int64_t out_features = weight.shape[0];
  const std::int64_t in_features = weight.shape[1];
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * in_features;
    for (std::int64_t o = 0; o < out_features; ++o) {
      const float* w = weight.data.data() + o * in_features;
      double sum = bias ? bias->data[o] : 0.0;
      for (std::int64_t i = 0; i < in_features; ++i) sum += static_cast<double>(w[i]) * in[i];
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
