#pragma once
// Presets: the output formats of known tools, written down once. A preset gives a command its
// metrics (where each is read and how), the device and the layer; the argv is always the user's,
// since it names their model, dataset and paths. Each preset has an example config in
// benchmarks/commands/ and a sample output in tests/data/command/.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::command {

// The preset's fields in the definition's JSON form, or nullptr for an unknown name.
const nlohmann::json* find_preset(const std::string& name);
std::vector<std::string> preset_names();

}  // namespace sb::command
