#!/usr/bin/env python3
"""Lane-level numpy model of decode_attention_split_mma_hd<HD> (decode_attention_mma.cu).

Replays, per block and per lane, what the kernel does with addresses and fragments: row_offset's
page lookups (through a shuffled block table, a sub-tile ahead) and load_sub's 16-byte chunks
(each row's offset taken from lane `row`, zero fill past the end) into the
padded shared-memory stages, the warp sub-tile schedule and double-buffer stage indices,
ldmatrix (.trans) as the PTX ISA defines the 8x8 fragments, mma.m16n8k16 with the ISA's A/B/C
fragment layouts (written independently of the kernel's index formulas), bf16 rounding of Q and
P, the quad-shuffle online softmax, the 4-warp merge and the partial layout, then
decode_attention_combine's formula; compares with plain softmax attention in float64. It also
checks that every ldmatrix phase hits 8 distinct 16-byte bank groups and that no warp reads a
stage it is refilling. Run: python3 split_mma_model.py
"""
import numpy as np

WARPS, SUB = 4, 16


def bf16(x):
    """Round float32 to bf16 (round to nearest even), returned as float32."""
    a = np.asarray(x, dtype=np.float32).copy()
    u = a.view(np.uint32)
    u += 0x7FFF + ((u >> 16) & 1)
    u &= 0xFFFF0000
    return u.view(np.float32)


def frag_a(regs):
    """A 16x16 from 32 lanes x 4 regs x 2 halves (PTX m16n8k16 .bf16 A layout)."""
    A = np.zeros((16, 16))
    for lane in range(32):
        g, tig = lane >> 2, lane & 3
        for i in range(8):
            A[g + 8 * ((i // 2) % 2), 2 * tig + (i % 2) + 8 * (i // 4)] = regs[lane][i // 2][i % 2]
    return A


def frag_b(regs):
    """B 16x8 (k x n) from 32 lanes x 2 regs x 2 halves."""
    B = np.zeros((16, 8))
    for lane in range(32):
        g, tig = lane >> 2, lane & 3
        for i in range(4):
            B[2 * tig + (i % 2) + 8 * (i // 2), g] = regs[lane][i // 2][i % 2]
    return B


def c_to_lanes(C):
    """C/D 16x8 to 32 lanes x 4 floats."""
    out = np.zeros((32, 4))
    for lane in range(32):
        g, tig = lane >> 2, lane & 3
        for i in range(4):
            out[lane, i] = C[g + 8 * (i // 2), 2 * tig + (i % 2)]
    return out


def lanes_to_c(d):
    C = np.zeros((16, 8))
    for lane in range(32):
        g, tig = lane >> 2, lane & 3
        for i in range(4):
            C[g + 8 * (i // 2), 2 * tig + (i % 2)] = d[lane, i]
    return C


def mma(d, a_regs, b_regs):
    """d (32 x 4) += A x B, fp32 accumulation modelled in float64 (inputs already bf16)."""
    return c_to_lanes(lanes_to_c(d) + frag_a(a_regs) @ frag_b(b_regs))


def ldmatrix_x4(smem, addrs, trans, banks_seen):
    """addrs: 32 byte addresses (lane 8 mi + r: row r of matrix mi). Returns 32 lanes x 4 regs x 2."""
    mats = []
    for mi in range(4):
        rows = []
        banks = set()
        for r in range(8):
            a = addrs[8 * mi + r]
            assert a % 16 == 0, "ldmatrix row address not 16-byte aligned"
            banks.add((a // 16) % 8)
            rows.append(smem[a // 2: a // 2 + 8])
        banks_seen.append(len(banks))
        mats.append(np.array(rows))
    regs = []
    for lane in range(32):
        g, tig = lane >> 2, lane & 3
        lr = []
        for mi in range(4):
            M = mats[mi].T if trans else mats[mi]
            lr.append((M[g, 2 * tig], M[g, 2 * tig + 1]))
        regs.append(lr)
    return regs


def kv_offset(page, page_elems, layer, kv, tpp, tok, kv_dim):
    return page * page_elems + ((layer * 2 + kv) * tpp + tok) * kv_dim


def split_block(HD, chunk, kvh, t, q, pool, page_elems, layer, tpp, nkv, group, tok_seq, tok_pos, tables, max_pages,
                scale, chunk_keys, max_chunks, part_acc, part_ml, banks_seen):
    ld_row = HD + 8
    stage_bytes = 2 * SUB * ld_row * 2
    length = tok_pos[t] + 1
    start = chunk * chunk_keys
    if start >= length:
        return
    end = min(length, start + chunk_keys)
    subs = (end - start + SUB - 1) // SUB
    table = tables[tok_seq[t] * max_pages:]
    kv_dim, head_off = nkv * HD, kvh * HD
    smem = np.full(WARPS * 2 * stage_bytes // 2, np.nan, dtype=np.float32)

    def row_offset(t0):
        """Per lane: pool offset of K for key t0 + (lane & 15), or -1 past the end."""
        offs = []
        for lane in range(32):
            j = t0 + (lane & 15)
            offs.append(-1 if j >= end else kv_offset(table[j // tpp], page_elems, layer, 0, tpp, j % tpp, kv_dim))
        return offs

    none = [-1] * 32

    def load_sub(stage, offs, t0):
        """offs: the lanes' row_offset values; t0 only checks that they belong to this sub-tile."""
        assert offs == row_offset(t0), "row offsets of another sub-tile"
        cpr = HD // 8
        per_lane = SUB * cpr // 32
        v_delta = tpp * kv_dim
        for lane in range(32):
            for i in range(per_lane):
                c = lane + 32 * i
                row, cc = c // cpr, c % cpr
                o = offs[row]  # __shfl_sync(off, row)
                valid = o >= 0
                dst = stage + (row * ld_row + 8 * cc) * 2
                dv = dst + SUB * ld_row * 2
                if valid:
                    src = o + head_off + 8 * cc
                    assert src % 8 == 0
                    smem[dst // 2: dst // 2 + 8] = pool[src: src + 8]
                    smem[dv // 2: dv // 2 + 8] = pool[src + v_delta: src + v_delta + 8]
                else:
                    smem[dst // 2: dst // 2 + 8] = 0
                    smem[dv // 2: dv // 2 + 8] = 0

    q_scale = np.float32(scale * 1.4426950408889634)
    merged = []
    for warp in range(WARPS):
        stage0 = warp * 2 * stage_bytes
        filled = {}  # stage byte offset -> sub-tile it holds
        if warp < subs:
            load_sub(stage0, row_offset(start + SUB * warp), start + SUB * warp)
            filled[stage0] = warp
        off_next = row_offset(start + SUB * (warp + WARPS)) if warp + WARPS < subs else none
        qa = []  # [lane][ks] -> (reg0 pair, reg2 pair)
        for lane in range(32):
            row, quad = lane >> 2, lane & 3
            live = row < group
            regs = []
            for ks in range(HD // 16):
                base = t * q.shape[1] + (kvh * group + row) * HD + 2 * quad + 16 * ks if live else None
                lo = q.flat[base: base + 2] * q_scale if live else np.zeros(2, np.float32)
                hi = q.flat[base + 8: base + 10] * q_scale if live else np.zeros(2, np.float32)
                regs.append((tuple(bf16(lo)), tuple(bf16(hi))))
            qa.append(regs)
        o = [np.zeros((32, 4)) for _ in range(HD // 8)]
        m_run = np.full(32, -np.inf)
        l_part = np.zeros(32)
        it, sub = 0, warp
        while sub < subs:
            cur = stage0 + (it & 1) * stage_bytes
            assert filled.get(cur) == sub, "stage does not hold the sub-tile being computed"
            if sub + WARPS < subs:
                nxt = stage0 + ((it + 1) & 1) * stage_bytes
                assert nxt != cur
                load_sub(nxt, off_next, start + SUB * (sub + WARPS))
                filled[nxt] = sub + WARPS
            off_next = row_offset(start + SUB * (sub + 2 * WARPS)) if sub + 2 * WARPS < subs else none
            t0 = start + SUB * sub
            s = [np.zeros((32, 4)), np.zeros((32, 4))]
            for ks in range(HD // 16):
                addrs = []
                for lane in range(32):
                    mi, r8 = lane >> 3, lane & 7
                    k_row, k_col = (mi >> 1) * 8 + r8, (mi & 1) * 8
                    addrs.append(cur + (k_row * ld_row + 16 * ks + k_col) * 2)
                b = ldmatrix_x4(smem, addrs, False, banks_seen)
                a = [[qa[l][ks][0], (0, 0), qa[l][ks][1], (0, 0)] for l in range(32)]
                s[0] = mma(s[0], a, [[b[l][0], b[l][1]] for l in range(32)])
                s[1] = mma(s[1], a, [[b[l][2], b[l][3]] for l in range(32)])
            new_o = [None] * (HD // 8)
            pa = []
            alpha = np.zeros(32)
            for lane in range(32):
                quad = lane & 3
                for n in range(2):
                    for x in range(2):
                        if t0 + 8 * n + 2 * quad + x >= end:
                            s[n][lane, x] = -np.inf
            mx = np.array([max(m_run[l], s[0][l, 0], s[0][l, 1], s[1][l, 0], s[1][l, 1]) for l in range(32)])
            mx = np.maximum(mx, mx[np.arange(32) ^ 1])
            mx = np.maximum(mx, mx[np.arange(32) ^ 2])
            assert np.all(np.isfinite(mx))
            alpha = np.exp2(m_run - mx)
            m_run = mx
            for lane in range(32):
                p = [[np.exp2(s[n][lane, x] - mx[lane]) for x in range(2)] for n in range(2)]
                l_part[lane] = l_part[lane] * alpha[lane] + (p[0][0] + p[0][1]) + (p[1][0] + p[1][1])
                pa.append([tuple(bf16(np.array(p[0], np.float32))), (0, 0), tuple(bf16(np.array(p[1], np.float32))), (0, 0)])
            for n in range(HD // 8):
                o[n][:, 0] *= alpha
                o[n][:, 1] *= alpha
            for d in range(HD // 16):
                addrs = []
                for lane in range(32):
                    mi, r8 = lane >> 3, lane & 7
                    v_row, v_col = (mi & 1) * 8 + r8, (mi >> 1) * 8
                    addrs.append(cur + SUB * ld_row * 2 + (v_row * ld_row + 16 * d + v_col) * 2)
                b = ldmatrix_x4(smem, addrs, True, banks_seen)
                o[2 * d] = mma(o[2 * d], pa, [[b[l][0], b[l][1]] for l in range(32)])
                o[2 * d + 1] = mma(o[2 * d + 1], pa, [[b[l][2], b[l][3]] for l in range(32)])
            it += 1
            sub += WARPS
        l = l_part + l_part[np.arange(32) ^ 1]
        l = l + l[np.arange(32) ^ 2]
        ldo = HD + 8  # padded merge rows, as the kernel's LDO
        sO = np.full(8 * ldo, np.nan)
        sM, sL = np.zeros(8), np.zeros(8)
        for lane in range(32):
            row, quad = lane >> 2, lane & 3
            for n in range(HD // 8):
                a = row * ldo + 8 * n + 2 * quad
                sO[a: a + 2] = o[n][lane, 0:2]
                assert o[n][lane, 2] == 0 and o[n][lane, 3] == 0, "padding rows must stay zero"
            if quad == 0:
                sM[row], sL[row] = m_run[lane], l[lane]
        merged.append((sO, sM, sL))
    base = (t * nkv * group + kvh * group) * max_chunks + chunk
    for idx in range(group * HD):
        g, e = idx // HD, idx % HD
        m = max(w[1][g] for w in merged)
        v = ssum = 0.0
        for w in merged:
            f = np.exp2(w[1][g] - m)
            v += w[0][g * (HD + 8) + e] * f
            ssum += w[2][g] * f
        part_acc[(base + g * max_chunks) * HD + e] = v
        if e == 0:
            part_ml[base + g * max_chunks] = (m, ssum)


def combine(part_acc, part_ml, out, heads, HD, tok_pos, chunk_keys, max_chunks):
    for t in range(len(tok_pos)):
        chunks = min(max_chunks, (tok_pos[t] + chunk_keys) // chunk_keys)
        for h in range(heads):
            base = (t * heads + h) * max_chunks
            gm = max(part_ml[base + c][0] for c in range(chunks))
            for e in range(HD):
                v = l = 0.0
                for c in range(chunks):
                    w = np.exp2(part_ml[base + c][0] - gm)
                    l += part_ml[base + c][1] * w
                    v += part_acc[(base + c) * HD + e] * w
                out[t, h * HD + e] = v / l


def case(HD, heads, nkv, tpp, lens, chunk_keys, rng):
    group = heads // nkv
    layers, layer = 2, 1
    kv_dim = nkv * HD
    max_pages = max((n + tpp - 1) // tpp for n in lens) + 1
    n_pages = len(lens) * max_pages + 2
    page_elems = layers * 2 * tpp * kv_dim
    pool = np.full(n_pages * page_elems, np.nan, dtype=np.float32)  # unwritten slots: NaN, must never be read
    perm = rng.permutation(n_pages)
    tables = perm[: len(lens) * max_pages].copy()
    K, V = [], []
    for s, n in enumerate(lens):
        k = bf16(rng.uniform(-1, 1, (n, kv_dim)).astype(np.float32))
        v = bf16(rng.uniform(-1, 1, (n, kv_dim)).astype(np.float32))
        K.append(k), V.append(v)
        for j in range(n):
            page = tables[s * max_pages + j // tpp]
            for kv, src in ((0, k), (1, v)):
                off = kv_offset(page, page_elems, layer, kv, tpp, j % tpp, kv_dim)
                pool[off: off + kv_dim] = src[j]
    q = rng.uniform(-1, 1, (len(lens), heads * HD)).astype(np.float32)
    tok_seq = np.arange(len(lens))
    tok_pos = np.array(lens) - 1
    scale = 1 / np.sqrt(HD)
    capacity = max_pages * tpp
    max_chunks = (capacity + chunk_keys - 1) // chunk_keys
    part_acc = np.full(len(lens) * heads * max_chunks * HD, np.nan)
    part_ml = [None] * (len(lens) * heads * max_chunks)
    banks = []
    for t in range(len(lens)):
        for kvh in range(nkv):
            for chunk in range(max_chunks):
                split_block(HD, chunk, kvh, t, q, pool, page_elems, layer, tpp, nkv, group, tok_seq, tok_pos, tables,
                            max_pages, scale, chunk_keys, max_chunks, part_acc, part_ml, banks)
    out = np.zeros((len(lens), heads * HD))
    combine(part_acc, part_ml, out, heads, HD, tok_pos, chunk_keys, max_chunks)
    err = 0.0
    for t, n in enumerate(lens):
        for h in range(heads):
            kvh = h // group
            qh = q[t, h * HD:(h + 1) * HD].astype(np.float64)
            sc = K[t][:, kvh * HD:(kvh + 1) * HD].astype(np.float64) @ qh * scale
            p = np.exp(sc - sc.max())
            ref = (p / p.sum()) @ V[t][:, kvh * HD:(kvh + 1) * HD].astype(np.float64)
            err = max(err, np.abs(out[t, h * HD:(h + 1) * HD] - ref).max())
    assert min(banks) == 8, "an ldmatrix phase hit a bank group twice"
    print(f"hd {HD:3d} heads {heads:2d} kv {nkv} group {group} page {tpp:2d} chunk {chunk_keys:4d} lens {lens}: "
          f"max |err| {err:.2e} ({len(banks)} ldmatrix x4, all conflict-free)")
    assert err < 1e-2, err
    return err


if __name__ == "__main__":
    rng = np.random.default_rng(7)
    case(128, 28, 4, 16, [1, 70, 17], 32, rng)        # Qwen2.5-7B shape, group 7; empty chunks, a 1-key chunk
    case(128, 16, 2, 5, [33, 2, 81], 80, rng)          # group 8, 5-token pages; warps without keys
    case(64, 8, 8, 7, [48, 1, 130], 48, rng)           # group 1
    case(64, 12, 2, 7, [100, 16, 17], 16, rng)         # group 6, one sub-tile per chunk
    case(128, 6, 3, 16, [200, 5], 256, rng)            # group 2, several sub-tiles per warp (online softmax)
    print("all cases within 1e-2 of float64 softmax attention")
