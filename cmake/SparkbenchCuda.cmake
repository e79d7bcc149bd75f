# CUDA is optional: with nvcc the GPU workloads are built, without it a CPU-only build.
# Architectures: what the caller asked for, else the local GPU (nvidia-smi), else a list that
# covers Hopper (sm_90, our test GPUs) and DGX Spark's GB10 (sm_121).
set(SPARKBENCH_HAVE_CUDA OFF)
if(NOT SPARKBENCH_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES OR CMAKE_CUDA_ARCHITECTURES STREQUAL "")
      set(_sb_arch "")
      find_program(_sb_nvidia_smi nvidia-smi)
      if(_sb_nvidia_smi)
        execute_process(COMMAND ${_sb_nvidia_smi} --query-gpu=compute_cap --format=csv,noheader
                        OUTPUT_VARIABLE _sb_caps RESULT_VARIABLE _sb_rc ERROR_QUIET
                        OUTPUT_STRIP_TRAILING_WHITESPACE TIMEOUT 20)
        if(_sb_rc EQUAL 0 AND _sb_caps MATCHES "^([0-9]+)\\.([0-9]+)")
          set(_sb_arch "${CMAKE_MATCH_1}${CMAKE_MATCH_2}")
        endif()
      endif()
      if(_sb_arch STREQUAL "")
        set(_sb_arch "90;121")
        message(STATUS "sparkbench: no local GPU found, building CUDA for sm_90 (H100/H200) and sm_121 (DGX Spark)")
      else()
        message(STATUS "sparkbench: building CUDA for the local GPU, sm_${_sb_arch}")
      endif()
      set(CMAKE_CUDA_ARCHITECTURES "${_sb_arch}" CACHE STRING "CUDA architectures" FORCE)
    endif()
    enable_language(CUDA)
    # CMake before 3.25.2 (Debian 12 has 3.25.1) knows no C++20 flag for nvcc and stops with
    # "requires the language dialect CUDA20" (gitlab.kitware.com/cmake/cmake/-/issues/23079).
    if(NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION AND CMAKE_CUDA_COMPILER_VERSION VERSION_GREATER_EQUAL 12.0)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    endif()
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    find_package(CUDAToolkit REQUIRED)
    set(SPARKBENCH_HAVE_CUDA ON)
  elseif(SPARKBENCH_CUDA STREQUAL "ON")
    message(FATAL_ERROR "SPARKBENCH_CUDA=ON but no CUDA compiler was found. Install the CUDA toolkit "
                        "(nvcc on PATH or CMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc), or configure "
                        "with -DSPARKBENCH_CUDA=OFF for a CPU-only build.")
  endif()
endif()
if(NOT SPARKBENCH_HAVE_CUDA)
  message(STATUS "sparkbench: CPU-only build (GPU workloads will report themselves unavailable)")
endif()
