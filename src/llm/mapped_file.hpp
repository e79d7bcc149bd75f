#pragma once
// A whole file mapped read-only into memory: checkpoints of many GiB are read in place, and only
// the pages actually touched are loaded.
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

 private:
  std::string path_;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace sb::llm
