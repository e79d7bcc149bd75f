#pragma once
// Which Python distributions a process ran from: the versions of torch, vllm, tensorrt_llm,
// flash_attn, triton and the nvidia-* wheels, read off the files it mapped. A wheel installs its
// package directory next to a "<name>-<version>.dist-info" directory (PEP 427 and the packaging
// guide's "Recording installed projects"; the name there has '-' as '_').
#include <map>
#include <string>
#include <vector>

namespace sb::fatbin {

// {distribution: version} for the files among `paths` that lie in a package directory,
// ".../site-packages/<pkg>/..." (or dist-packages): the distribution whose dist-info name is <pkg>
// (case, '-', '_' and '.' alike), else, for a namespace directory shared by many wheels
// (".../site-packages/nvidia/cublas/lib/libcublas.so.12" of nvidia_cublas_cu12), the one
// distribution whose name starts with "<pkg>_<subdir>". Files of no such distribution are left
// out. Each package directory is listed once.
std::map<std::string, std::string> python_packages(const std::vector<std::string>& paths);

}  // namespace sb::fatbin
