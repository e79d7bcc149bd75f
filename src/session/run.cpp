#include "session/run.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "canary/canary.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/version.hpp"
#include "env/environment.hpp"
#include "launcher/session.hpp"
#include "runner/runner.hpp"
#include "session/record_file.hpp"

namespace sb::session {
namespace {

// The canary into rec.canary[when], written at once. One that throws (a probe's wrong result) is
// recorded in its place and ends the run: a machine that computes wrongly measures nothing.
void measure_canary(const char* when, const plan::Plan& p, record::RunRecord& rec, RecordFile& file, Observer& observer) {
  const bool gpu_cases = std::any_of(p.cases.begin(), p.cases.end(),
                                     [](const plan::PlannedCase& c) { return c.workload->device == Device::Gpu; });
  try {
    const canary::Result result = canary::run(gpu_cases);
    rec.canary[when] = canary::to_json(result);
    file.write(rec);
    observer.canary_measured({.when = when, .result = result});
  } catch (const std::exception& e) {
    rec.canary[when] = {{"error", e.what()}};
    file.write(rec);
    const auto* err = dynamic_cast<const Error*>(&e);
    throw Error(fmt::format("the canary ({}) failed: {}", when, e.what()),
                err ? err->fix() : "run `sparkbench doctor` to check the machine", kExitFailure);
  }
}

}  // namespace

RunOutcome run_here(const RunHereRequest& request, Observer& observer) {
  const plan::Plan& p = request.plan;
  const auto started = std::chrono::system_clock::now();
  record::RunRecord rec;
  rec.sparkbench_version = kVersion;
  rec.label = request.label;
  rec.host = hostname();
  rec.started_utc = utc_iso8601(started);
  rec.command_line = request.command_line;
  rec.settings = plan::to_json(p.settings);
  rec.settings["source"] = p.source;
  rec.plan = plan::cases_to_json(p.cases);
  rec.launch = {{"mode", "native"}};
  const std::filesystem::path wanted = record::default_path(request.out, request.label, utc_compact(started), rec.host);
  std::error_code ec;
  std::filesystem::create_directories(wanted.parent_path(), ec);  // if that fails, the claim says so
  const std::filesystem::path path = record::claim_unused_path(wanted);  // another run may have started this second

  observer.run_started({.cases = p.cases.size(), .label = request.label, .environment = "", .record = path});
  RecordFile file(path);
  file.write(rec);  // the claimed file holds a valid record from now on
  const interrupt::Hook mark_interrupted([&] { file.mark_interrupted(); });
  rec.environment = env::capture();
  file.write(rec);

  if (p.settings.canary) measure_canary("start", p, rec, file, observer);
  runner::run(p, rec, observer, [&](const record::RunRecord& r) { file.write(r); });
  if (p.settings.canary && !rec.interrupted) measure_canary("end", p, rec, file, observer);

  RunFinished finished{.kept = rec.cases.size(), .planned = p.cases.size(), .interrupted = rec.interrupted};
  for (const auto& c : rec.cases)
    (c.status == record::CaseStatus::Ok ? finished.ok : c.status == record::CaseStatus::Unavailable ? finished.unavailable : finished.failed)++;
  observer.run_finished(finished);
  if (rec.interrupted) return {path, interrupt::exit_code()};
  return {path, finished.failed > 0 ? kExitFailure : kExitOk};
}

RunOutcome run_elsewhere(const RunElsewhereRequest& request, Observer& observer) {
  launcher::Session session(request.env, request.options);
  observer.run_started({.cases = request.plan.cases.size(), .label = request.label, .environment = session.describe(), .record = {}});
  const launcher::RunOutcome o = session.run({request.label, request.plan, request.out});
  return {o.record, interrupt::requested() ? interrupt::exit_code() : o.exit_code};
}

}  // namespace sb::session
