# Every dependency comes from the distribution (Debian 12 / Ubuntu 24.04); scripts/setup_native.sh
# installs them. A missing one stops configuration with the package to install.
function(sparkbench_require name package)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "sparkbench needs ${name}: install it with `sudo apt-get install ${package}` "
                        "(or run scripts/setup_native.sh, which installs everything).")
  endif()
endfunction()

find_package(Threads REQUIRED)
find_package(yaml-cpp QUIET)
sparkbench_require(yaml-cpp libyaml-cpp-dev)
if(TARGET yaml-cpp::yaml-cpp)
  set(SPARKBENCH_YAML_TARGET yaml-cpp::yaml-cpp)
else()
  set(SPARKBENCH_YAML_TARGET yaml-cpp)
endif()
find_package(nlohmann_json 3.10 QUIET)
sparkbench_require(nlohmann_json nlohmann-json3-dev)
find_package(CLI11 QUIET)
sparkbench_require(CLI11 libcli11-dev)
find_package(fmt QUIET)
sparkbench_require(fmt libfmt-dev)
find_package(Boost 1.74 QUIET)   # Boost.Math is header-only
sparkbench_require(Boost libboost-math-dev)

# OpenBLAS runs the CPU matmul; without it that workload reports itself unavailable.
find_package(OpenBLAS QUIET)
set(SPARKBENCH_HAVE_OPENBLAS OFF)
if(OpenBLAS_FOUND AND EXISTS "${OpenBLAS_INCLUDE_DIRS}/cblas.h")
  set(SPARKBENCH_HAVE_OPENBLAS ON)
  add_library(sparkbench_openblas INTERFACE)
  target_include_directories(sparkbench_openblas INTERFACE ${OpenBLAS_INCLUDE_DIRS})
  target_link_libraries(sparkbench_openblas INTERFACE ${OpenBLAS_LIBRARIES})
else()
  message(WARNING "OpenBLAS not found (apt-get install libopenblas-dev): the CPU matmul will be unavailable")
endif()

find_program(SPARKBENCH_GNUPLOT gnuplot)
if(NOT SPARKBENCH_GNUPLOT)
  message(STATUS "gnuplot not found (apt-get install gnuplot-nox): reports will say their plots are missing")
endif()
