#include "session/record_file.hpp"

#include "core/interrupt.hpp"

namespace sb::session {

void RecordFile::write(const record::RunRecord& r) {
  std::lock_guard lock(mutex_);
  last_ = r;
  written_ = true;
  write_locked();
}

void RecordFile::mark_interrupted() {
  std::lock_guard lock(mutex_);
  if (written_) write_locked();
}

void RecordFile::write_locked() {
  if (interrupt::requested()) {  // also a checkpoint that lands after the watcher's rewrite
    last_.interrupted = true;
    last_.complete = false;
  }
  record::write(path_, last_);
}

}  // namespace sb::session
