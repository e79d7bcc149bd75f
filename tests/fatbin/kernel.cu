// The kernel of fatbin_test's libraries: what it computes does not matter, only the fatbinary
// nvcc builds around it for each library's -gencode list.
__global__ void scale(float* x, float a, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] *= a;
}

extern "C" void fatbin_test_scale(float* x, float a, int n) { scale<<<(n + 255) / 256, 256>>>(x, a, n); }
