#pragma once
// PATH-style directory lists and finding a program in one: the launchers look up runtimes and ldd,
// the command workload the user's argv[0], host-mirror the install prefixes of PATH entries.
#include <string>
#include <vector>

namespace sb {

// "a:b::c" -> {"a", "b", "", "c"}; "" -> {""}.
std::vector<std::string> split_path_list(const std::string& list);

// A regular file we may execute.
bool is_executable_file(const std::string& path);

// The path `name` runs as: a name containing '/' is taken relative to `relative_to` (unless it is
// absolute or relative_to is empty) and must be executable; any other name is the first executable
// `dir/name` over the non-empty directories of `path_list`. "" when there is none.
std::string find_executable(const std::string& name, const std::string& path_list, const std::string& relative_to = "");

// Our $PATH, or the usual directories when it is unset.
std::string our_path_list();

// find_executable over our_path_list(): how the launchers find runtimes and tools.
std::string find_on_path(const std::string& name);

}  // namespace sb
