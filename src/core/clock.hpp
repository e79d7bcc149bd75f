#pragma once
#include <chrono>
#include <string>

namespace sb {

std::string utc_iso8601(std::chrono::system_clock::time_point t = std::chrono::system_clock::now());  // 2026-11-24T05:30:00Z
std::string utc_compact(std::chrono::system_clock::time_point t = std::chrono::system_clock::now());  // 20261124T053000Z
std::string hostname();

}  // namespace sb
