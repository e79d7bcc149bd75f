#include "llm/rope.hpp"

#include <cmath>
#include <numbers>

namespace sb::llm {

std::vector<double> rope_inverse_frequencies(const ModelConfig& c) {
  const std::int64_t pairs = c.head_dim / 2;
  std::vector<double> inv_freq(static_cast<std::size_t>(pairs));
  for (std::int64_t i = 0; i < pairs; ++i) {
    inv_freq[i] = 1.0 / std::pow(c.rope_theta, static_cast<double>(2 * i) / static_cast<double>(c.head_dim));
  }
  if (!c.rope_scaling.enabled()) return inv_freq;

  const RopeScaling& r = c.rope_scaling;
  const double context = static_cast<double>(r.original_max_position_embeddings);
  const double low_freq_wavelength = context / r.low_freq_factor;
  const double high_freq_wavelength = context / r.high_freq_factor;
  for (double& f : inv_freq) {
    const double wavelength = 2 * std::numbers::pi / f;
    if (wavelength < high_freq_wavelength) continue;
    if (wavelength > low_freq_wavelength) {
      f /= r.factor;
    } else {
      const double smooth = (context / wavelength - r.low_freq_factor) / (r.high_freq_factor - r.low_freq_factor);
      f = (1 - smooth) * f / r.factor + smooth * f;
    }
  }
  return inv_freq;
}

void apply_rope(float* x, std::int64_t head_dim, std::int64_t position, const std::vector<double>& inv_freq) {
  const std::int64_t half = head_dim / 2;
  for (std::int64_t i = 0; i < half; ++i) {
    const double angle = static_cast<double>(position) * inv_freq[i];
    const double cos = std::cos(angle);
    const double sin = std::sin(angle);
    const double a = x[i];
    const double b = x[i + half];
    x[i] = static_cast<float>(a * cos - b * sin);
    x[i + half] = static_cast<float>(b * cos + a * sin);
  }
}

}  // namespace sb::llm
