#pragma once
// The built-in models, each the config.json it comes from; model_config parses them like a user's
// file (builtin_model, resolve_model). Only the texts live here, so that the table depends on nothing.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::llm {

// "llama-3.2-1b", "llama-3.2-3b", "llama-3.1-8b" with the published shapes, and "tiny" (a few
// hundred thousand parameters, for tests and as the CUDA engine's correctness case); sorted.
std::vector<std::string> builtin_model_names();
// The config.json of the built-in model `name`; nullopt when no built-in model has that name.
std::optional<std::string_view> builtin_model_json(const std::string& name);

}  // namespace sb::llm
