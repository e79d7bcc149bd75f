#pragma once
// Inner-loop sizing for micro-benchmarks. One repetition of a nanosecond-scale operation must
// repeat it many times: long enough that clock resolution and a single interrupt do not matter,
// short enough that the runner can take many repetitions in a second or two.
#include <algorithm>
#include <chrono>
#include <cstdint>

namespace sb {

// Returns n such that batch(n) (which performs the operation n times) takes about `target`.
// A first call absorbs one-off costs (page faults, lazy binding, first thread stack); doubling
// probes then find a size that takes a tenth of the target, and the scaled-up size is run once to
// confirm, since one disturbed short probe can be off by an order of magnitude.
template <class Batch>
std::uint64_t calibrate_iterations(Batch&& batch, std::chrono::nanoseconds target) {
  using clock = std::chrono::steady_clock;
  const auto timed = [&batch](std::uint64_t n) {
    const auto t0 = clock::now();
    batch(n);
    return std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - t0).count());
  };
  const auto scaled = [target](std::uint64_t n, std::int64_t ns) {
    const double factor = static_cast<double>(target.count()) / static_cast<double>(ns);
    return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(static_cast<double>(n) * factor));
  };
  batch(1);
  std::uint64_t n = 1;
  std::int64_t ns = timed(n);
  while (ns < target.count() / 10 && n < (std::uint64_t{1} << 40)) ns = timed(n *= 2);
  n = scaled(n, ns);
  ns = timed(n);
  if (ns < target.count() / 2 || ns > target.count() * 2) n = scaled(n, ns);
  return n;
}

}  // namespace sb
