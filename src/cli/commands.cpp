#include "cli/commands.hpp"
namespace sb::cli {
int main(int, char**) { return 0; }
}  // namespace sb::cli
