#pragma once
// Helpers shared by the unit tests: what an sb::Error said.
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace sb::test {

// "problem | fix" of the sb::Error that f throws, or "" when it throws none.
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(e.what()) + " | " + e.fix();
  }
  return "";
}

// The sb::Error that f throws; a test failure when it throws none.
template <class F>
Error expect_error(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected sb::Error";
  return Error("", "");
}

}  // namespace sb::test
