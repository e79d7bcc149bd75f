#pragma once
// A fixed team of threads started once and then given one job at a time, so that thread creation
// is not part of what a bandwidth or throughput repetition measures.
#include <barrier>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace sb {

class WorkerTeam {
 public:
  explicit WorkerTeam(int size);  // size >= 1 threads; the calling thread only coordinates
  ~WorkerTeam();
  WorkerTeam(const WorkerTeam&) = delete;
  WorkerTeam& operator=(const WorkerTeam&) = delete;

  int size() const { return static_cast<int>(threads_.size()); }
  // Runs job(member index) on every member at once. Returns the wall time in seconds from the
  // common start to the last member's finish. Rethrows the first exception a member threw.
  double run_seconds(const std::function<void(int)>& job);

 private:
  void member_loop(int index);

  std::barrier<> start_;
  std::barrier<> done_;
  const std::function<void(int)>* job_ = nullptr;
  bool stopping_ = false;
  std::vector<std::exception_ptr> errors_;
  std::vector<std::thread> threads_;
};

}  // namespace sb
