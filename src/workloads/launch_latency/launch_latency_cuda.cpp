// launch_latency on CUDA: host-side wall time, since the cost being measured is on the host.
#include <cstdint>
#include <stdexcept>

#include <cuda_runtime_api.h>

#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"
#include "workloads/launch_latency/launch_latency.hpp"
#include "workloads/launch_latency/launch_latency_kernels.hpp"

namespace sb::launch_latency {
namespace {

// Launches per repetition: about 10-30 ms at typical costs (2-3 us a launch in a pipeline,
// 5-15 us a round trip), far above steady_clock's resolution.
constexpr int kPipelinedLaunches = 10000;
constexpr int kRoundTrips = 2000;

// One operation = one kernel launch (with sync=each, launch + synchronize), timed by the harness on
// the host clock, since the cost being measured is on the host; a fixed count per repetition.
class LaunchRun final : public HostOperation {
 public:
  explicit LaunchRun(const Config& config)
      : config_(config), launches_(config.sync == Sync::None ? kPipelinedLaunches : kRoundTrips) {
    if (config_.mode == Mode::Graph) capture_graph();
    // The first launches load the kernel's module (lazy loading) and upload the graph.
    SB_CUDA_CHECK(launch_empty_kernel(stream_.get()));
    SB_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
  }

  // n launches, then the final cudaStreamSynchronize, which is part of the time. With mode=graph
  // and sync=none the launches are replays of the graph of graph_nodes_ kernels.
  void batch(std::uint64_t n) override {
    const cudaStream_t stream = stream_.get();
    if (config_.mode == Mode::Stream) {
      for (std::uint64_t i = 0; i < n; ++i) {
        SB_CUDA_CHECK(launch_empty_kernel(stream));
        if (config_.sync == Sync::Each) SB_CUDA_CHECK(cudaStreamSynchronize(stream));
      }
    } else if (config_.sync == Sync::None) {
      if (n % static_cast<std::uint64_t>(graph_nodes_) != 0)
        throw std::logic_error("launch_latency: a graph replays its kernels only all together");
      for (std::uint64_t i = 0; i < n / static_cast<std::uint64_t>(graph_nodes_); ++i)
        SB_CUDA_CHECK(cudaGraphLaunch(graph_exec_.get(), stream));
    } else {
      for (std::uint64_t i = 0; i < n; ++i) {
        SB_CUDA_CHECK(cudaGraphLaunch(graph_exec_.get(), stream));
        SB_CUDA_CHECK(cudaStreamSynchronize(stream));
      }
    }
    SB_CUDA_CHECK(cudaStreamSynchronize(stream));
  }
  Sizing sizing() const override { return {.fixed = static_cast<std::uint64_t>(launches_)}; }

  nlohmann::json info() const override {
    return {{"mode", config_.mode == Mode::Stream ? "stream" : "graph"},
            {"sync", config_.sync == Sync::None ? "none" : "each"},
            {"kernel_nodes_per_graph", config_.mode == Mode::Graph ? graph_nodes_ : 0},
            {"final_synchronize", "one cudaStreamSynchronize after a repetition's launches, inside the clock"}};
  }

 private:
  // sync=none: the whole repetition's launches in one graph; sync=each: a graph of one launch.
  void capture_graph() {
    graph_nodes_ = config_.sync == Sync::None ? launches_ : 1;
    SB_CUDA_CHECK(cudaStreamBeginCapture(stream_.get(), cudaStreamCaptureModeThreadLocal));
    for (int i = 0; i < graph_nodes_; ++i) SB_CUDA_CHECK(launch_empty_kernel(stream_.get()));
    cudaGraph_t graph = nullptr;
    SB_CUDA_CHECK(cudaStreamEndCapture(stream_.get(), &graph));
    graph_.reset(graph);
    cudaGraphExec_t exec = nullptr;
    SB_CUDA_CHECK(cudaGraphInstantiate(&exec, graph_.get(), 0));
    graph_exec_.reset(exec);
    SB_CUDA_CHECK(cudaGraphUpload(graph_exec_.get(), stream_.get()));
    SB_CUDA_CHECK(cudaGraphLaunch(graph_exec_.get(), stream_.get()));
  }

  int device_ = cuda::usable_device();  // first: no device, nothing created
  Config config_;
  int launches_;
  int graph_nodes_ = 0;
  cuda::Stream stream_ = cuda::make_stream();
  cuda::Graph graph_;
  cuda::GraphExec graph_exec_;
};

}  // namespace

std::unique_ptr<CaseRun> make_run(const Config& config) { return std::make_unique<LaunchRun>(config); }

}  // namespace sb::launch_latency
