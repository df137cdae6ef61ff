package asm

// SubGatherDot sets, for i < n,
//
//	dst[i] = d[i] − s_i,   s_i = Σ_{t = ptr[i]}^{ptr[i+1]−1} w[t]·x[idx[t]]
//
// (a sparse row times a dense vector, as in CSR), with s_i summed in this
// order: the first 4·⌊m/4⌋ of the row's m terms into four lanes, term t to
// lane (t − ptr[i]) mod 4, each product and sum rounded once (no fused
// multiply-add); then (lane0 + lane2) + (lane1 + lane3); then the last
// m mod 4 terms one by one. ptr has n+1 entries, offsets into idx and w;
// idx holds indices into x. dst may not overlap x or d. It may not be called
// unless HasAVX2.
//
//go:noescape
func SubGatherDot(n int, dst, d *float64, ptr, idx *int32, w, x *float64)
