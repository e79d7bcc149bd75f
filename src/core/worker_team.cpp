#include "core/worker_team.hpp"

#include <chrono>
#include <stdexcept>

namespace sb {

namespace {
int checked_size(int size) {
  if (size < 1) throw std::invalid_argument("WorkerTeam needs at least one thread");
  return size;
}
}  // namespace

WorkerTeam::WorkerTeam(int size)
    : start_(checked_size(size) + 1), done_(size + 1), errors_(static_cast<std::size_t>(size)) {
  threads_.reserve(static_cast<std::size_t>(size));
  for (int i = 0; i < size; ++i) threads_.emplace_back([this, i] { member_loop(i); });
}

WorkerTeam::~WorkerTeam() {
  stopping_ = true;  // published to the members by the barrier
  start_.arrive_and_wait();
  for (auto& t : threads_) t.join();
}

void WorkerTeam::member_loop(int index) {
  for (;;) {
    start_.arrive_and_wait();
    if (stopping_) return;
    try {
      (*job_)(index);
    } catch (...) {
      errors_[static_cast<std::size_t>(index)] = std::current_exception();
    }
    done_.arrive_and_wait();
  }
}

double WorkerTeam::run_seconds(const std::function<void(int)>& job) {
  job_ = &job;
  for (auto& e : errors_) e = nullptr;
  const auto t0 = std::chrono::steady_clock::now();
  start_.arrive_and_wait();
  done_.arrive_and_wait();
  const auto t1 = std::chrono::steady_clock::now();
  job_ = nullptr;
  for (const auto& e : errors_)
    if (e) std::rethrow_exception(e);
  return std::chrono::duration<double>(t1 - t0).count();
}

}  // namespace sb
