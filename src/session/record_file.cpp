#include "session/record_file.hpp"

#include "core/interrupt.hpp"
#include "core/redact.hpp"

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
  record::write_atomic(path_, redact::json(to_json(last_)).dump(1));
}

}  // namespace sb::session
