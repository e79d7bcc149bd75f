#pragma once
// A whole file mapped read-only into memory: checkpoints of many GiB are read in place, and only
// the pages actually touched are loaded. Checkpoints are read front to back once, so the mapping is
// advised MADV_SEQUENTIAL (aggressive read-ahead), and a reader can ask for the next range ahead of
// time and hand back the pages it has finished with.
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

namespace sb::llm {

class MappedFile {
 public:
  // Throws sb::Error naming the file when it cannot be opened or mapped.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const { return {data_, size_}; }
  std::size_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Advice to the kernel about a `range` inside bytes(); a kernel or sandbox that refuses it only
  // reads slower or keeps more resident, so failures are ignored.
  // Starts reading the pages of `range` into the page cache in the background (MADV_WILLNEED).
  void will_need(std::span<const std::byte> range) const;
  // Drops the pages wholly inside `range` from this process's resident memory (MADV_DONTNEED). No
  // data is lost: the mapping is read-only and never written, so the pages stay the file's, in the
  // page cache, and a later read maps them again.
  void done_with(std::span<const std::byte> range) const;

 private:
  void require_inside(std::span<const std::byte> range) const;  // throws std::logic_error (a bug) when not

  std::string path_;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace sb::llm
