#include "llm/safetensors.hpp"

#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace sb::llm {

namespace {

using nlohmann::json;

constexpr const char* kFileFix = "the file is damaged or incomplete: download or convert it again";

[[noreturn]] void bad_file(const std::string& file, const std::string& what) {
  throw Error(fmt::format("{}: {}", file, what), kFileFix);
}

std::optional<DType> safetensors_dtype(const std::string& name) {
  if (name == "F32") return DType::F32;
  if (name == "F16") return DType::F16;
  if (name == "BF16") return DType::BF16;
  return std::nullopt;
}

Shape parse_shape(const json& entry, const std::string& file, const std::string& name) {
  const auto it = entry.find("shape");
  if (it == entry.end() || !it->is_array()) bad_file(file, fmt::format("tensor '{}' has no shape list in the header", name));
  Shape shape;
  for (const json& d : *it) {
    if (!d.is_number_unsigned()) bad_file(file, fmt::format("tensor '{}' has a malformed shape {}", name, it->dump()));
    shape.push_back(d.get<std::int64_t>());
  }
  return shape;
}

CheckpointTensor parse_entry(const std::string& name, const json& entry, std::span<const std::byte> data,
                             const std::shared_ptr<const MappedFile>& mapping) {
  const std::string& file = mapping->path();
  if (!entry.is_object() || !entry.contains("dtype") || !entry["dtype"].is_string()) {
    bad_file(file, fmt::format("tensor '{}' has no dtype in the header", name));
  }
  CheckpointTensor t;
  t.name = name;
  t.file = mapping;
  t.type_name = entry["dtype"].get<std::string>();
  t.dtype = safetensors_dtype(t.type_name);
  t.shape = parse_shape(entry, file, name);
  const auto offsets = entry.find("data_offsets");
  if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned()) {
    bad_file(file, fmt::format("tensor '{}' has malformed data_offsets in the header", name));
  }
  const auto begin = (*offsets)[0].get<std::uint64_t>();
  const auto end = (*offsets)[1].get<std::uint64_t>();
  if (end < begin) bad_file(file, fmt::format("tensor '{}' has data_offsets [{}, {}) that end before they begin", name, begin, end));
  if (end > data.size()) {
    bad_file(file, fmt::format("tensor '{}' lies at bytes [{}, {}) of the data section but the file holds only {} "
                               "bytes of data (truncated?)",
                               name, begin, end, data.size()));
  }
  if (t.dtype) {
    const std::optional<std::uint64_t> expected = byte_count(t.shape, dtype_size(*t.dtype));
    if (expected != end - begin) {
      bad_file(file, fmt::format("tensor '{}' ({} {}) does not take the {} bytes its data_offsets give", name,
                                 t.type_name, to_string(t.shape), end - begin));
    }
    t.bytes = data.subspan(begin, end - begin);
  }
  return t;
}

json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("cannot read {}", path.string()), "check the path and its permissions");
  try {
    return json::parse(in);
  } catch (const json::parse_error& e) {
    bad_file(path.string(), fmt::format("malformed JSON ({})", e.what()));
  }
}

// Shard file -> the tensor names the index places in it.
std::map<std::string, std::set<std::string>> shards_of_index(const std::filesystem::path& index) {
  const json doc = read_json_file(index);
  const auto map = doc.find("weight_map");
  if (!doc.is_object() || map == doc.end() || !map->is_object()) {
    bad_file(index.string(), "has no \"weight_map\" object (tensor name -> shard file)");
  }
  std::map<std::string, std::set<std::string>> shards;
  for (const auto& [tensor, shard] : map->items()) {
    if (!shard.is_string()) bad_file(index.string(), fmt::format("weight_map entry for tensor '{}' is not a file name", tensor));
    shards[shard.get<std::string>()].insert(tensor);
  }
  return shards;
}

}  // namespace

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path)
    : file_(std::make_shared<const MappedFile>(path)) {
  const std::string& name = file_->path();
  const std::span<const std::byte> bytes = file_->bytes();
  if (bytes.size() < 8) bad_file(name, fmt::format("only {} bytes, shorter than the 8-byte header length (truncated?)", bytes.size()));
  std::uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  if (header_size > bytes.size() - 8) {
    bad_file(name, fmt::format("header of {} bytes announced but the file has only {} bytes (truncated, or not a "
                               "safetensors file)",
                               header_size, bytes.size()));
  }
  json header;
  try {
    header = json::parse(reinterpret_cast<const char*>(bytes.data() + 8),
                         reinterpret_cast<const char*>(bytes.data() + 8 + header_size));
  } catch (const json::parse_error& e) {
    bad_file(name, fmt::format("malformed JSON header ({})", e.what()));
  }
  if (!header.is_object()) bad_file(name, "the header is not a JSON object");
  const std::span<const std::byte> data = bytes.subspan(8 + header_size);
  for (const auto& [tensor, entry] : header.items()) {
    if (tensor == "__metadata__") continue;
    tensors_.push_back(parse_entry(tensor, entry, data, file_));
  }
}

Checkpoint open_safetensors(const std::filesystem::path& path, const ModelConfig& c) {
  const ExpectedShapes expected = expected_shapes(c);
  Checkpoint checkpoint{.source = path.string(), .tensors = {}};
  if (path.extension() == ".json") {
    for (const auto& [shard, names] : shards_of_index(path)) {
      const SafetensorsFile file(path.parent_path() / shard);
      std::set<std::string> found;
      for (const CheckpointTensor& t : file.tensors()) found.insert(t.name);
      for (const std::string& tensor : names) {
        if (!found.count(tensor)) {
          throw Error(fmt::format("{}: tensor '{}' is missing, though {} places it there", file.path(), tensor,
                                  path.string()),
                      kFileFix);
        }
      }
      add_tensors(checkpoint, expected, file.tensors());
    }
  } else {
    const SafetensorsFile file(path);
    add_tensors(checkpoint, expected, file.tensors());
  }
  check_complete(checkpoint, c);
  return checkpoint;
}

Weights load_safetensors(const std::filesystem::path& path, const ModelConfig& c) {
  return read_weights(open_safetensors(path, c));
}

}  // namespace sb::llm
