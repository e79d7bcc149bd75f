#pragma once
// The record of a run here, on disk: rewritten after every case (the runner's checkpoint), and once
// more from the interrupt watcher right after a SIGINT/SIGTERM, marked interrupted, so that the file
// says so even when the process does not live to the end of the current repetition (a second
// signal, the SIGKILL `docker stop` sends after its grace period). One lock: both use
// write_atomic's temporary name.
#include <filesystem>
#include <mutex>

#include "record/record.hpp"

namespace sb::session {

class RecordFile {
 public:
  explicit RecordFile(std::filesystem::path path) : path_(std::move(path)) {}
  // Written with secrets redacted wherever they are (the plan's command definitions, their argv,
  // env and output tails, messages); the run itself used the real values.
  void write(const record::RunRecord& r);
  void mark_interrupted();

 private:
  void write_locked();

  std::filesystem::path path_;
  std::mutex mutex_;
  record::RunRecord last_;
  bool written_ = false;
};

}  // namespace sb::session
