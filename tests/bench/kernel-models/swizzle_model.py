# NumPy model of the index math in gemm_tiles.cuh / gemm_mma.cu / gemm_wgmma_sm90a.cu (no GPU needed):
# swizzled stores, ldmatrix.x4 lane roles, m16n8k16 fragments and the epilogue must reproduce A.W^T;
# ldmatrix phases must hit 8 distinct bank groups; the wgmma 128B-swizzle view must equal the stores.
#   python3 tests/bench/kernel-models/swizzle_model.py
import numpy as np
def swz(BK, r, c):
    return r*128 + ((c ^ (r & 7)) << 4) if BK == 64 else r*64 + ((c ^ ((r >> 1) & 3)) << 4)
def sim(BM, BN, BK):
    WM=WN=64; WARPS_N=BN//WN; nwarps=(BM//WM)*WARPS_N
    rng=np.random.default_rng(0)
    A=rng.integers(-3,4,(BM,BK)).astype(np.float64); W=rng.integers(-3,4,(BN,BK)).astype(np.float64)
    # smem as element array indexed by byte/2
    sA=np.full(BM*BK, np.nan); sB=np.full(BN*BK, np.nan)
    CPR=BK//8
    for c in range(BM*CPR):
        r,kc=divmod(c,CPR); o=swz(BK,r,kc)//2; sA[o:o+8]=A[r,kc*8:kc*8+8]
    for c in range(BN*CPR):
        r,kc=divmod(c,CPR); o=swz(BK,r,kc)//2; sB[o:o+8]=W[r,kc*8:kc*8+8]
    assert not np.isnan(sA).any() and not np.isnan(sB).any()
    def ldm_x4(s, addrs):  # addrs[lane] byte offset; returns regs[lane][4] as pairs
        out=[[None]*4 for _ in range(32)]
        for m in range(4):
            rows=[s[addrs[m*8+i]//2: addrs[m*8+i]//2+8] for i in range(8)]
            for l in range(32):
                out[l][m]=(rows[l//4][2*(l%4)], rows[l//4][2*(l%4)+1])
        return out
    C=np.zeros((BM,BN))
    for warp in range(nwarps):
        wm,wn=divmod(warp,WARPS_N)
        acc=np.zeros((4,8,32,4))
        for kk in range(BK//16):
            af=[None]*4; bf=[[None]*2 for _ in range(8)]
            for i in range(4):
                addrs=[]
                for lane in range(32):
                    q,l8=lane>>3,lane&7
                    addrs.append(swz(BK, wm*WM+l8+(q&1)*8+i*16, kk*2+(q>>1)))
                af[i]=ldm_x4(sA,addrs)
            for j in range(0,8,2):
                addrs=[]
                for lane in range(32):
                    q,l8=lane>>3,lane&7
                    addrs.append(swz(BK, wn*WN+l8+(q>>1)*8+j*8, kk*2+(q&1)))
                r=ldm_x4(sB,addrs)
                bf[j]=[[r[l][0],r[l][1]] for l in range(32)]
                bf[j+1]=[[r[l][2],r[l][3]] for l in range(32)]
            for i in range(4):
                for j in range(8):
                    # mma m16n8k16 semantics from fragments
                    Am=np.zeros((16,16)); Bm=np.zeros((16,8))
                    for l in range(32):
                        g,t=l>>2,l&3
                        a=af[i][l]
                        Am[g,2*t:2*t+2]=a[0]; Am[g+8,2*t:2*t+2]=a[1]; Am[g,2*t+8:2*t+10]=a[2]; Am[g+8,2*t+8:2*t+10]=a[3]
                        b=bf[j][l]
                        Bm[2*t:2*t+2,g]=b[0]; Bm[2*t+8:2*t+10,g]=b[1]
                    D=Am@Bm
                    for l in range(32):
                        g,t=l>>2,l&3
                        acc[i,j,l]+= [D[g,2*t],D[g,2*t+1],D[g+8,2*t],D[g+8,2*t+1]]
        for i in range(4):
            for j in range(8):
                for l in range(32):
                    g,t=l>>2,l&3
                    r=wm*WM+i*16+g; c=wn*WN+j*8+t*2
                    C[r,c],C[r,c+1],C[r+8,c],C[r+8,c+1]=acc[i,j,l]
    ref=A@W.T
    print(BM,BN,BK,"max err",np.abs(C-ref).max())
sim(128,128,64); sim(128,256,64); sim(128,128,32)
# bank conflicts: for each 8-lane phase, the 16-byte groups (addr/16 % 8) must be distinct
def banks(BK):
    for r0 in range(0,64,8):
        for c in range(BK//8):
            g=[(swz(BK,r0+i,c)//16)%8 for i in range(8)]
            assert len(set(g))==8,(BK,r0,c,g)
    print("ldmatrix conflict-free for BK",BK)
banks(64); banks(32)
# wgmma 128B swizzle reading: element (r,k) of k16-step kk read at start+32kk + r*128 + (k//8)*16, bits[4:6]^=bits[7:9]
for r in range(64):
    for kk in range(4):
        for k in range(16):
            addr=32*kk + r*128 + (k//8)*16 + (k%8)*2
            hw=addr ^ (((addr>>7)&7)<<4)
            assert hw == swz(64,r,(kk*16+k)//8) + (k%8)*2
print("wgmma swizzle view consistent")
