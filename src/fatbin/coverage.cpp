#include "fatbin/coverage.hpp"

#include <algorithm>
#include <charconv>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fatbin/elf_sections.hpp"

namespace sb::fatbin {

namespace {

constexpr std::string_view kExecutableSection = ".nv_fatbin";
constexpr std::string_view kRelocatableSection = "__nv_relfatbin";

int major_of(int sm) { return sm / 10; }

// The order targets are listed in: by number, then sm_90 before sm_90a.
auto target_order(const Entry& e) { return std::tuple(e.arch, static_cast<int>(e.variant)); }

std::string list_targets(const std::vector<Entry>& entries, CodeKind kind) {
  std::vector<Entry> of_kind;
  std::copy_if(entries.begin(), entries.end(), std::back_inserter(of_kind), [&](const Entry& e) { return e.kind == kind; });
  std::sort(of_kind.begin(), of_kind.end(), [](const Entry& a, const Entry& b) { return target_order(a) < target_order(b); });
  std::vector<std::string> names;
  for (const Entry& e : of_kind)
    if (names.empty() || names.back() != target_name(e)) names.push_back(target_name(e));
  return names.empty() ? "no" : fmt::format("{}", fmt::join(names, " "));
}

}  // namespace

bool sass_runs_on(const Entry& entry, int sm) {
  if (entry.kind != CodeKind::sass) return false;
  if (entry.variant == ArchVariant::arch_specific) return sm == entry.arch;
  return major_of(sm) == major_of(entry.arch) && sm >= entry.arch;
}

bool ptx_jits_for(const Entry& entry, int sm) {
  if (entry.kind != CodeKind::ptx) return false;
  switch (entry.variant) {
    case ArchVariant::arch_specific: return sm == entry.arch;
    case ArchVariant::family_specific: return major_of(sm) == major_of(entry.arch) && sm >= entry.arch;
    case ArchVariant::generic: return sm >= entry.arch;
  }
  return false;
}

bool Coverage::has_sass_for(int sm) const {
  return std::any_of(entries.begin(), entries.end(), [&](const Entry& e) { return sass_runs_on(e, sm); });
}

std::optional<Entry> Coverage::ptx_jit_for(int sm) const {
  std::optional<Entry> best;
  for (const Entry& e : entries)
    if (ptx_jits_for(e, sm) &&
        (!best || std::tuple(e.arch, e.version_major, e.version_minor) >
                      std::tuple(best->arch, best->version_major, best->version_minor)))
      best = e;
  return best;
}

std::string Coverage::summary() const {
  if (section.empty()) return "no CUDA fatbinary";
  return fmt::format("{} SASS, {} PTX", list_targets(entries, CodeKind::sass), list_targets(entries, CodeKind::ptx));
}

Coverage coverage(const std::string& path) {
  const FileReader file(path);
  const std::vector<SectionRange> sections = find_sections(file, {kExecutableSection, kRelocatableSection});
  const bool executable = std::any_of(sections.begin(), sections.end(),
                                      [](const SectionRange& s) { return s.name == kExecutableSection; });
  Coverage out;
  for (const SectionRange& s : sections) {
    if (s.name != (executable ? kExecutableSection : kRelocatableSection)) continue;
    Fatbinary fatbinary = read_fatbinary(file, s);
    out.section = s.name;
    out.containers += fatbinary.containers;
    out.other_entries += fatbinary.other_entries;
    out.entries.insert(out.entries.end(), fatbinary.entries.begin(), fatbinary.entries.end());
  }
  return out;
}

bool has_fatbinary(const std::string& path) {
  try {
    const FileReader file(path);
    return !find_sections(file, {kExecutableSection}).empty();
  } catch (const Error&) {
    return false;
  }
}

std::optional<int> sm_of_compute_capability(std::string_view text) {
  int major = 0, minor = 0;
  const char* end = text.data() + text.size();
  const auto [dot, e1] = std::from_chars(text.data(), end, major);
  if (e1 != std::errc() || dot == end || *dot != '.') return std::nullopt;
  const auto [last, e2] = std::from_chars(dot + 1, end, minor);
  if (e2 != std::errc() || last != end || major <= 0 || minor < 0 || minor > 9) return std::nullopt;
  return major * 10 + minor;
}

}  // namespace sb::fatbin
