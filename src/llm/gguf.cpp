#include "llm/gguf.hpp"

#include <cmath>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "core/error.hpp"

namespace sb::llm {

namespace {

using nlohmann::json;

constexpr const char* kFileFix = "the file is damaged or incomplete: download or convert it again";
constexpr std::uint32_t kMaxDims = 4;          // GGML_MAX_DIMS
constexpr int kMaxArrayNesting = 16;           // metadata arrays of arrays; deeper means a corrupt file

[[noreturn]] void bad_file(const std::string& file, const std::string& what) {
  throw Error(fmt::format("{}: {}", file, what), kFileFix);
}

// Bounds-checked little-endian reads from the mapped file.
class Reader {
 public:
  Reader(std::span<const std::byte> bytes, const std::string& file) : bytes_(bytes), file_(file) {}

  void need(std::uint64_t n, const std::string& what) const {
    if (n > bytes_.size() - pos_) {
      bad_file(file_, fmt::format("truncated: {} at byte {} needs {} bytes but the file has {} bytes", what, pos_, n,
                                  bytes_.size()));
    }
  }
  template <class T>
  T read(const std::string& what) {
    need(sizeof(T), what);
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string string(const std::string& what) {
    const auto length = read<std::uint64_t>(what);
    need(length, what);
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), length);
    pos_ += length;
    return s;
  }
  std::uint64_t position() const { return pos_; }
  const std::string& file() const { return file_; }

 private:
  std::span<const std::byte> bytes_;
  const std::string& file_;
  std::uint64_t pos_ = 0;
};

enum MetadataType : std::uint32_t {
  kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7, kString = 8, kArray = 9,
  kU64 = 10, kI64 = 11, kF64 = 12
};

json read_value(Reader& r, std::uint32_t type, const std::string& what, int depth = 0) {
  switch (type) {
    case kU8: return r.read<std::uint8_t>(what);
    case kI8: return r.read<std::int8_t>(what);
    case kU16: return r.read<std::uint16_t>(what);
    case kI16: return r.read<std::int16_t>(what);
    case kU32: return r.read<std::uint32_t>(what);
    case kI32: return r.read<std::int32_t>(what);
    case kF32: return r.read<float>(what);
    case kU64: return r.read<std::uint64_t>(what);
    case kI64: return r.read<std::int64_t>(what);
    case kF64: return r.read<double>(what);
    case kString: return r.string(what);
    case kBool: {
      const auto b = r.read<std::uint8_t>(what);
      if (b > 1) bad_file(r.file(), fmt::format("{} is a bool with value {}", what, b));
      return b == 1;
    }
    case kArray: {
      if (depth >= kMaxArrayNesting) bad_file(r.file(), fmt::format("{} nests arrays too deeply", what));
      const auto element_type = r.read<std::uint32_t>(what);
      const auto count = r.read<std::uint64_t>(what);
      r.need(count, what);  // every element takes at least one byte: a corrupt count fails here, not in allocation
      json array = json::array();
      for (std::uint64_t i = 0; i < count; ++i) array.push_back(read_value(r, element_type, what, depth + 1));
      return array;
    }
    default:
      bad_file(r.file(), fmt::format("{} has unknown value type {}", what, type));
  }
}

std::string ggml_type_name(std::uint32_t type) {
  static const std::map<std::uint32_t, const char*> names = {
      {0, "F32"},      {1, "F16"},     {2, "Q4_0"},    {3, "Q4_1"},    {6, "Q5_0"},     {7, "Q5_1"},
      {8, "Q8_0"},     {9, "Q8_1"},    {10, "Q2_K"},   {11, "Q3_K"},   {12, "Q4_K"},    {13, "Q5_K"},
      {14, "Q6_K"},    {15, "Q8_K"},   {16, "IQ2_XXS"}, {17, "IQ2_XS"}, {18, "IQ3_XXS"}, {19, "IQ1_S"},
      {20, "IQ4_NL"},  {21, "IQ3_S"},  {22, "IQ2_S"},  {23, "IQ4_XS"}, {24, "I8"},      {25, "I16"},
      {26, "I32"},     {27, "I64"},    {28, "F64"},    {29, "IQ1_M"},  {30, "BF16"},    {34, "TQ1_0"},
      {35, "TQ2_0"},   {39, "MXFP4"}};
  const auto it = names.find(type);
  return it != names.end() ? it->second : fmt::format("ggml type {}", type);
}

std::optional<DType> ggml_dtype(std::uint32_t type) {
  switch (type) {
    case 0: return DType::F32;
    case 1: return DType::F16;
    case 30: return DType::BF16;
    default: return std::nullopt;
  }
}

std::uint64_t parse_alignment(const json& metadata, const std::string& file) {
  const auto it = metadata.find("general.alignment");
  if (it == metadata.end()) return 32;
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0 || it->get<std::uint64_t>() % 8 != 0) {
    bad_file(file, fmt::format("general.alignment is {}; it must be a positive multiple of 8", it->dump()));
  }
  return it->get<std::uint64_t>();
}

struct TensorInfo {
  std::string gguf_name;
  Shape dims;  // GGUF order: dims[0] varies fastest
  std::uint32_t type = 0;
  std::uint64_t offset = 0;
};

TensorInfo read_tensor_info(Reader& r, std::uint64_t index) {
  const std::string what = fmt::format("the info of tensor #{}", index);
  TensorInfo info;
  info.gguf_name = r.string(what);
  const std::string named = fmt::format("the info of tensor '{}'", info.gguf_name);
  const auto n_dims = r.read<std::uint32_t>(named);
  if (n_dims > kMaxDims) bad_file(r.file(), fmt::format("{} has {} dimensions (at most {})", named, n_dims, kMaxDims));
  for (std::uint32_t d = 0; d < n_dims; ++d) info.dims.push_back(static_cast<std::int64_t>(r.read<std::uint64_t>(named)));
  info.type = r.read<std::uint32_t>(named);
  info.offset = r.read<std::uint64_t>(named);
  return info;
}

std::uint64_t align_up(std::uint64_t offset, std::uint64_t alignment) {
  return offset + (alignment - offset % alignment) % alignment;
}

}  // namespace

GgufFile::GgufFile(const std::filesystem::path& path) : file_(std::make_shared<const MappedFile>(path)) {
  const std::string& name = file_->path();
  Reader r(file_->bytes(), name);
  r.need(4, "the magic number");
  if (std::memcmp(file_->bytes().data(), "GGUF", 4) != 0) bad_file(name, "not a GGUF file (it does not start with \"GGUF\")");
  r.read<std::uint32_t>("the magic number");
  version_ = r.read<std::uint32_t>("the version");
  if (version_ != 2 && version_ != 3) {
    throw Error(fmt::format("{}: GGUF version {} is not supported", name, version_),
                "convert the model with a current llama.cpp (GGUF version 3)");
  }
  const auto tensor_count = r.read<std::uint64_t>("the tensor count");
  const auto kv_count = r.read<std::uint64_t>("the metadata count");

  metadata_ = json::object();
  for (std::uint64_t i = 0; i < kv_count; ++i) {
    const std::string key = r.string(fmt::format("metadata key #{}", i));
    const std::string what = fmt::format("metadata '{}'", key);
    const auto type = r.read<std::uint32_t>(what);
    metadata_[key] = read_value(r, type, what);
  }
  alignment_ = parse_alignment(metadata_, name);

  std::vector<TensorInfo> infos;
  for (std::uint64_t i = 0; i < tensor_count; ++i) infos.push_back(read_tensor_info(r, i));
  const std::uint64_t data_start = align_up(r.position(), alignment_);
  const std::uint64_t file_size = file_->size();

  for (const TensorInfo& info : infos) {
    CheckpointTensor t;
    t.name = hf_name_from_gguf(info.gguf_name);
    t.name_in_file = info.gguf_name;
    t.file = file_;
    t.type_name = ggml_type_name(info.type);
    t.dtype = ggml_dtype(info.type);
    t.shape.assign(info.dims.rbegin(), info.dims.rend());
    if (info.offset % alignment_ != 0) {
      bad_file(name, fmt::format("tensor '{}' starts at offset {}, not a multiple of the alignment {}", info.gguf_name,
                                 info.offset, alignment_));
    }
    if (t.dtype) {
      const std::optional<std::uint64_t> size = byte_count(t.shape, dtype_size(*t.dtype));
      if (!size || data_start > file_size || info.offset > file_size - data_start ||
          *size > file_size - data_start - info.offset) {
        bad_file(name, fmt::format("tensor '{}' ({} {}) lies beyond the end of the file ({} bytes; truncated?)",
                                   info.gguf_name, t.type_name, to_string(t.shape), file_size));
      }
      t.bytes = file_->bytes().subspan(data_start + info.offset, *size);
    }
    tensors_.push_back(std::move(t));
  }
}

std::string hf_name_from_gguf(const std::string& gguf_name) {
  static const std::map<std::string, std::string> global = {{"token_embd.weight", kEmbedding},
                                                            {"output_norm.weight", kFinalNorm},
                                                            {"output.weight", kLmHead}};
  static const std::map<std::string, std::string> per_layer = {
      {"attn_norm.weight", "input_layernorm.weight"},    {"attn_q.weight", "self_attn.q_proj.weight"},
      {"attn_q.bias", "self_attn.q_proj.bias"},          {"attn_k.weight", "self_attn.k_proj.weight"},
      {"attn_k.bias", "self_attn.k_proj.bias"},          {"attn_v.weight", "self_attn.v_proj.weight"},
      {"attn_v.bias", "self_attn.v_proj.bias"},          {"attn_output.weight", "self_attn.o_proj.weight"},
      {"attn_output.bias", "self_attn.o_proj.bias"},     {"ffn_norm.weight", "post_attention_layernorm.weight"},
      {"ffn_gate.weight", "mlp.gate_proj.weight"},       {"ffn_up.weight", "mlp.up_proj.weight"},
      {"ffn_down.weight", "mlp.down_proj.weight"}};
  if (const auto it = global.find(gguf_name); it != global.end()) return it->second;
  // blk.<layer>.<suffix>
  if (gguf_name.rfind("blk.", 0) == 0) {
    const std::size_t dot = gguf_name.find('.', 4);
    const std::string layer = gguf_name.substr(4, dot == std::string::npos ? 0 : dot - 4);
    const bool numeric = !layer.empty() && layer.find_first_not_of("0123456789") == std::string::npos;
    if (numeric) {
      if (const auto it = per_layer.find(gguf_name.substr(dot + 1)); it != per_layer.end()) {
        return fmt::format("model.layers.{}.{}", layer, it->second);
      }
    }
  }
  return gguf_name;
}

namespace {

// The hyperparameters a GGUF file states must agree with the config; a different head count, for
// one, leaves every tensor shape intact but would silently give wrong results.
void check_hyperparameters(const GgufFile& f, const ModelConfig& c) {
  const json& m = f.metadata();
  const auto arch_it = m.find("general.architecture");
  if (arch_it == m.end() || !arch_it->is_string()) bad_file(f.path(), "metadata 'general.architecture' is missing");
  const std::string arch = arch_it->get<std::string>();
  const std::string fix = "pass the config.json (or built-in model) that the GGUF file was converted from";
  if (arch != c.model_type) {
    throw Error(fmt::format("{}: general.architecture is '{}' but the model config '{}' is a '{}' model", f.path(), arch,
                            c.name, c.model_type),
                fix);
  }
  const std::pair<const char*, std::int64_t> integers[] = {
      {"block_count", c.num_layers},           {"embedding_length", c.hidden_size},
      {"feed_forward_length", c.intermediate_size}, {"attention.head_count", c.num_heads},
      {"attention.head_count_kv", c.num_kv_heads},  {"attention.key_length", c.head_dim}};
  for (const auto& [suffix, expected] : integers) {
    const auto it = m.find(arch + "." + suffix);
    if (it == m.end()) continue;
    if (!it->is_number_integer() || it->get<std::int64_t>() != expected) {
      throw Error(fmt::format("{}: metadata '{}.{}' is {} but the model config '{}' has {}", f.path(), arch, suffix,
                              it->dump(), c.name, expected),
                  fix);
    }
  }
  const std::pair<const char*, double> reals[] = {{"rope.freq_base", c.rope_theta},
                                                  {"attention.layer_norm_rms_epsilon", c.rms_norm_eps}};
  for (const auto& [suffix, expected] : reals) {
    const auto it = m.find(arch + "." + suffix);
    if (it == m.end()) continue;
    // Stored as f32: agree to f32 precision.
    if (!it->is_number() || std::abs(it->get<double>() - expected) > 1e-6 * std::abs(expected)) {
      throw Error(fmt::format("{}: metadata '{}.{}' is {} but the model config '{}' has {}", f.path(), arch, suffix,
                              it->dump(), c.name, expected),
                  fix);
    }
  }
}

// llama.cpp permuted the rows of Q and K (and their biases) of llama models; the reads undo it.
void mark_rope_rows(Checkpoint& checkpoint, const ModelConfig& c) {
  if (c.model_type != "llama") return;
  std::map<std::string, std::int64_t> heads;
  for (std::int64_t layer = 0; layer < c.num_layers; ++layer) {
    const LayerNames n = layer_names(layer);
    heads[n.q] = heads[n.q_bias] = c.num_heads;
    heads[n.k] = heads[n.k_bias] = c.num_kv_heads;
  }
  for (CheckpointTensor& t : checkpoint.tensors) {
    if (const auto it = heads.find(t.name); it != heads.end()) t.rope_heads = it->second;
  }
}

}  // namespace

Checkpoint open_gguf(const std::filesystem::path& path, const ModelConfig& c) {
  const GgufFile f(path);
  check_hyperparameters(f, c);
  Checkpoint checkpoint{.source = f.path(), .tensors = {}};
  add_tensors(checkpoint, expected_shapes(c), f.tensors());
  check_complete(checkpoint, c);
  mark_rope_rows(checkpoint, c);
  return checkpoint;
}

Weights load_gguf(const std::filesystem::path& path, const ModelConfig& c) { return read_weights(open_gguf(path, c)); }

}  // namespace sb::llm
