// A stand-in libnvidia-ml.so.1 for machines without a driver: one device that behaves like the
// awkward cases seen on real ones. Memory info is "not supported" (DGX Spark's unified memory),
// the enforced power limit answers "no permission", and only the pre-535 name of the throttle
// reason query is exported, so the loader's fallback is exercised. The numbers are arbitrary
// values the tests check for; the ABI follows nvml.h (see src/telemetry/nvml_library.hpp).
#include <cstring>

namespace {

constexpr int kSuccess = 0;
constexpr int kInvalidArgument = 2;
constexpr int kNotSupported = 3;
constexpr int kNoPermission = 4;
constexpr int kClockSm = 1;

struct Device {};
Device the_device;

int copy_text(const char* text, char* out, unsigned int size) {
  if (std::strlen(text) + 1 > size) return 7;  // NVML_ERROR_INSUFFICIENT_SIZE
  std::strcpy(out, text);
  return kSuccess;
}

}  // namespace

extern "C" {

struct Utilization {
  unsigned int gpu, memory;
};

int nvmlInit_v2() { return kSuccess; }
int nvmlShutdown() { return kSuccess; }
const char* nvmlErrorString(int rc) {
  switch (rc) {
    case kNotSupported: return "Not Supported";
    case kNoPermission: return "Insufficient Permissions";
    default: return "Unknown Error";
  }
}
int nvmlDeviceGetCount_v2(unsigned int* count) {
  *count = 1;
  return kSuccess;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void** device) {
  if (index != 0) return kInvalidArgument;
  *device = &the_device;
  return kSuccess;
}
int nvmlDeviceGetName(void*, char* out, unsigned int size) { return copy_text("Fake GPU", out, size); }
int nvmlDeviceGetUUID(void*, char* out, unsigned int size) {
  return copy_text("GPU-00000000-1111-2222-3333-444444444444", out, size);
}
int nvmlDeviceGetVbiosVersion(void*, char*, unsigned int) { return kNotSupported; }
int nvmlSystemGetDriverVersion(char* out, unsigned int size) { return copy_text("580.95.05", out, size); }
int nvmlSystemGetCudaDriverVersion_v2(int* version) {
  *version = 13000;
  return kSuccess;
}
int nvmlDeviceGetUtilizationRates(void*, Utilization* u) {
  u->gpu = 42;
  u->memory = 7;
  return kSuccess;
}
int nvmlDeviceGetClockInfo(void*, int type, unsigned int* mhz) {
  if (type != kClockSm) return kNotSupported;
  *mhz = 1500;
  return kSuccess;
}
int nvmlDeviceGetMaxClockInfo(void*, int, unsigned int* mhz) {
  *mhz = 2000;
  return kSuccess;
}
int nvmlDeviceGetPowerUsage(void*, unsigned int* milliwatts) {
  *milliwatts = 12345;
  return kSuccess;
}
int nvmlDeviceGetEnforcedPowerLimit(void*, unsigned int*) { return kNoPermission; }
int nvmlDeviceGetTemperature(void*, int, unsigned int* celsius) {
  *celsius = 55;
  return kSuccess;
}
int nvmlDeviceGetCurrentClocksThrottleReasons(void*, unsigned long long* mask) {
  *mask = 0x1 | 0x4;  // gpu_idle | sw_power_cap
  return kSuccess;
}
int nvmlDeviceGetMemoryInfo(void*, void*) { return kNotSupported; }
int nvmlDeviceGetPersistenceMode(void*, int* state) {
  *state = 1;
  return kSuccess;
}

}  // extern "C"
