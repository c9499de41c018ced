# Writes emulation copies of the CUDA sources into the current directory: the helpers built on
# inline PTX (cp.async, ldmatrix, mma) are cut out, emu_prelude.h defines them on the host.
import re, sys
src = sys.argv[1]
def strip(text, sig, template=False):
    i = text.index(sig)
    if template:
        i = text.rindex('template', 0, i)
    j = text.index('{', text.index(sig))
    depth = 0
    k = j
    while True:
        if text[k] == '{': depth += 1
        elif text[k] == '}':
            depth -= 1
            if depth == 0: break
        k += 1
    return text[:i] + text[k+1:]
t = open(src + '/gemm_tiles.cuh').read()
t = strip(t, '__device__ __forceinline__ unsigned smem_u32(')
t = strip(t, '__device__ __forceinline__ void cp_async16_zfill(')
t = strip(t, '__device__ __forceinline__ void cp_async_commit_group(')
t = strip(t, '__device__ __forceinline__ void cp_async_wait_group(', template=True)
i = t.index('asm volatile("st.shared.v4.u32')
j = t.index(');', i) + 2
t = t[:i] + 'std::memcpy(g_smem + dst + swz_offset<BK>(r, kc), &u, 16);' + t[j:]
open('gemm_tiles.cuh', 'w').write('#include "emu_prelude.h"\n' + t)
t = open(src + '/mma_fragments.cuh').read()
t = strip(t, '__device__ __forceinline__ void ldmatrix_x4(')
t = strip(t, '__device__ __forceinline__ void ldmatrix_x4_trans(')
t = strip(t, '__device__ __forceinline__ void mma_bf16_16816(')
open('mma_fragments.cuh', 'w').write(t)
open('common.cuh', 'w').write(open(src + '/common.cuh').read())
# Dynamic shared memory becomes the emulated block's buffer.
for name in ('prefill_attention_mma.cu', 'decode_attention_mma.cu', 'gemm_mma.cu'):
    t = open(src + '/' + name).read()
    t, n = re.subn(r'extern __shared__ __align__\(\d+\) unsigned char smem\[\];', 'unsigned char* smem = g_smem;', t)
    assert n == 1, name
    if name == 'decode_attention_mma.cu':
        for sig, tpl in (('unsigned smem_addr(', False), ('void cp_commit(', False), ('void cp_wait(', True),
                         ('void mma16816(', False)):
            t = strip(t, '__device__ __forceinline__ ' + sig, template=tpl)
    open(name, 'w').write(t)
