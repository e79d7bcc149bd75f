// Placeholder: the matmul workload is being written (see issue "Core pipeline", part 3).
