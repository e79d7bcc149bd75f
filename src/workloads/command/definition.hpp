#pragma once
// A `command` workload's definition: the user's own program (trtllm-bench, vllm bench, llama-bench,
// a script) run once per repetition, with metrics read from what it prints. It comes from a
// config's `commands:` section (or a plan file, inside a container) as JSON, and is normalized so
// that the plan carries it unchanged from one process to the next (see docs/commands.md).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "workload/workload.hpp"

namespace sb::command {

// Where a metric is read, and how.
struct Extraction {
  enum class Source { Stdout, Stderr, Output, File };  // Output: stdout then stderr
  enum class Method { Regex, JsonPointer, Csv };
  Source from = Source::Stdout;
  std::string file;  // Source::File: a path template (default "{output_file}")
  Method method = Method::Regex;
  std::string pattern;  // regex (first capture group), JSON pointer, or CSV column name
  bool last = true;     // regex: the last matching line (else the first); csv: the last data row
  char separator = ',';  // csv
  double scale = 1;      // the value is multiplied by this (e.g. 1000 for seconds -> ms)
};

struct MetricDefinition {
  MetricSpec spec;
  Extraction extraction;
};

// An engine setting read from what the command printed, as text (the attention backend, the
// quantization, CUDA graphs or eager mode, the KV cache size): recorded in each case's info
// (`engine_settings`), so that two environments that ran the engine differently can be told apart
// from two that ran it the same way. Not a metric: nothing is compared statistically.
struct SettingDefinition {
  std::string name;
  Extraction::Source from = Extraction::Source::Output;  // stdout, stderr or output
  std::string regex;  // the first capture group is the value
  bool last = true;   // the last matching line, else the first
};

struct Definition {
  std::string name;        // the user's name; the workload is "command:<name>"
  std::string preset;      // the preset it started from, "" for none
  std::string help;
  Device device = Device::Cpu;
  std::string layer;
  std::vector<std::string> argv;  // templates: "{param}", "{output_file}", "{config_dir}", "{seed}"
  std::map<std::string, std::string> env;  // added to sparkbench's environment; values are templates
  std::string config_dir;  // the directory of the config that defined it
  std::string cwd;         // a template; default: config_dir
  bool cwd_explicit = false;  // false: the config directory, or the current one where it does not exist
  double timeout_s = 600;
  std::vector<ParamSpec> params;
  std::vector<MetricDefinition> metrics;  // the user's; wall_ms is added by the workload
  std::vector<SettingDefinition> settings;
};

inline constexpr const char* kWallMetric = "wall_ms";
inline constexpr const char* kWorkloadPrefix = "command:";

// Reads a definition from its JSON form (a config's YAML as JSON, or a normalized definition):
// a preset's fields first, the definition's own on top. Throws sb::Error naming the command and
// the field, with the fix.
Definition parse(const nlohmann::json& j);
// The normalized JSON form; parse(to_json(d)) gives d back.
nlohmann::json to_json(const Definition& d);

// Replaces each "{name}" in text with values.at(name); "{{" and "}}" are literal braces. Throws
// sb::Error for an unknown name or an unclosed brace (`what` says where the template came from).
std::string substitute(const std::string& text, const std::map<std::string, std::string>& values,
                       const std::string& what);
// The names a template uses (same syntax errors as substitute).
std::vector<std::string> placeholders(const std::string& text, const std::string& what);

}  // namespace sb::command
