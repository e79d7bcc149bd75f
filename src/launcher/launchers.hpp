#pragma once
// The concrete launchers, made by make_launcher (launcher.hpp). Internal to src/launcher.
#include <memory>

#include "launcher/launcher.hpp"

namespace sb::launcher {

std::unique_ptr<Launcher> make_docker_launcher(const EnvSpec& spec);
std::unique_ptr<Launcher> make_podman_launcher(const EnvSpec& spec);
std::unique_ptr<Launcher> make_apptainer_launcher(const EnvSpec& spec);
std::unique_ptr<Launcher> make_oci_launcher(const EnvSpec& spec);

}  // namespace sb::launcher
