# Sourced by the device scripts: points AEGAEON_CUBLASLT at a cuBLASLt library when the runtime's
# own search (CUDA's lib64, the loader path) would miss it, e.g. one that only PyTorch's wheels carry.
if [ -z "${AEGAEON_CUBLASLT:-}" ]; then
  AEGAEON_CUBLASLT=$(find /usr/local/cuda/lib64 /usr/local/cuda*/targets /usr/lib /usr/local/lib /opt -name 'libcublasLt.so.1[0-9]*' \
    -type f 2>/dev/null | sort -V | tail -1)
  export AEGAEON_CUBLASLT
fi
echo "cuBLASLt: ${AEGAEON_CUBLASLT:-none found}"
