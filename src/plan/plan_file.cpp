#include "plan/plan_file.hpp"

#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/version.hpp"
#include "core/atomic_file.hpp"
#include "record/record.hpp"

namespace sb::plan {

using nlohmann::json;

void write_plan_file(const std::filesystem::path& file, const Plan& plan) {
  const json j = {{"schema", kPlanFileSchema},
                  {"schema_version", kPlanFileVersion},
                  {"plan", cases_to_json(plan.cases)},
                  {"settings", to_json(plan.settings)},
                  {"source", plan.source}};
  write_atomic(file, j.dump(1));
}

Plan read_plan_file(const std::filesystem::path& file) {
  const std::string path = file.string();
  std::ifstream in(file);
  if (!in)
    throw Error(fmt::format("cannot read the plan file {}: {}", path, std::strerror(errno)),
                "give the plan.json a launcher wrote");
  const json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("schema", "") != kPlanFileSchema || !j.contains("plan"))
    throw Error(fmt::format("{} is not a sparkbench plan file (expected \"schema\": \"{}\", version {})", path,
                            kPlanFileSchema, kPlanFileVersion),
                "give the plan.json a launcher wrote (`sparkbench run --env` and `ab` write one for each run)");
  const json version = j.value("schema_version", json());
  if (version != kPlanFileVersion)
    throw Error(fmt::format("the plan file {} is of version {}; this sparkbench ({}) reads version {}", path,
                            version.is_null() ? "none" : version.dump(), kVersion, kPlanFileVersion),
                "run the same sparkbench binary that wrote it (the launchers of --env and `ab` run their own "
                "binary inside the container), or rebuild sparkbench so that both sides are one version");
  Plan p;
  p.cases = cases_from_json(j.at("plan"));
  config::SettingsOverrides overrides;
  const json settings = j.value("settings", json::object());
  for (const auto& [key, value] : settings.items())
    config::set_setting(overrides, key, value.is_boolean() ? value.get<bool>() : value.get<double>(), path);
  apply(p.settings, overrides, path);
  p.source = j.value("source", json::object());
  return p;
}

}  // namespace sb::plan
