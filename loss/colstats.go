package loss

import (
	"github.com/eigenssl/eigenssl/internal/asm"
	"github.com/eigenssl/eigenssl/linalg"
)

// useAsm reports whether the row loops of colMeans, batchNorm and
// batchNormBackward run the AVX2 kernels of internal/asm on float32 and
// float64 rows (a variable so that a test can run the Go loops on the same
// machine). Each kernel applies the Go loop's operations to each column in
// the same order, four columns at a time, so both paths give the same bits
// (TestColStatsAsm). The products in the Go loops are wrapped in float64()
// so that no GOAMD64 level fuses them into an FMA the kernels do not do.
// It also selects checkGeneral's AVX2 finiteness test (validate.go).
var useAsm = asm.HasAVX2

// addRow sets acc[j] += float64(x[j]) for j < len(x); acc may be longer.
func addRow[T linalg.Float](acc []float64, x []T) {
	acc = acc[:len(x)]
	if useAsm && len(x) > 0 {
		switch x := any(x).(type) {
		case []float32:
			asm.AddRow32(len(x), &x[0], &acc[0])
			return
		case []float64:
			asm.AddRow64(len(x), &x[0], &acc[0])
			return
		}
	}
	for j, v := range x {
		acc[j] += float64(v)
	}
}

// addSqDev sets acc[j] += c*c with c = float64(x[j]) - mu[j], for
// j < len(x).
func addSqDev[T linalg.Float](acc []float64, x []T, mu []float64) {
	acc, mu = acc[:len(x)], mu[:len(x)]
	if useAsm && len(x) > 0 {
		switch x := any(x).(type) {
		case []float32:
			asm.AddSqDev32(len(x), &x[0], &mu[0], &acc[0])
			return
		case []float64:
			asm.AddSqDev64(len(x), &x[0], &mu[0], &acc[0])
			return
		}
	}
	for j, v := range x {
		c := float64(v) - mu[j]
		acc[j] += float64(c * c)
	}
}

// scaleDev sets out[j] = T((float64(x[j]) - mu[j]) * inv[j]) for
// j < len(x).
func scaleDev[T linalg.Float](out, x []T, mu, inv []float64) {
	out, mu, inv = out[:len(x)], mu[:len(x)], inv[:len(x)]
	if useAsm && len(x) > 0 {
		switch x := any(x).(type) {
		case []float32:
			out := any(out).([]float32)
			asm.ScaleDev32(len(x), &x[0], &mu[0], &inv[0], &out[0])
			return
		case []float64:
			out := any(out).([]float64)
			asm.ScaleDev64(len(x), &x[0], &mu[0], &inv[0], &out[0])
			return
		}
	}
	for j, v := range x {
		out[j] = T((float64(v) - mu[j]) * inv[j])
	}
}

// addRowProd sets sx[j] += float64(x[j]) and sxy[j] +=
// float64(x[j])*float64(y[j]) for j < len(x).
func addRowProd[T linalg.Float](sx, sxy []float64, x, y []T) {
	sx, sxy, y = sx[:len(x)], sxy[:len(x)], y[:len(x)]
	if useAsm && len(x) > 0 {
		switch x := any(x).(type) {
		case []float32:
			y := any(y).([]float32)
			asm.AddRowProd32(len(x), &x[0], &y[0], &sx[0], &sxy[0])
			return
		case []float64:
			y := any(y).([]float64)
			asm.AddRowProd64(len(x), &x[0], &y[0], &sx[0], &sxy[0])
			return
		}
	}
	for j, v := range x {
		sx[j] += float64(v)
		sxy[j] += float64(float64(v) * float64(y[j]))
	}
}

// subProjScale sets x[j] = T((float64(x[j]) - mx[j] - float64(y[j])*mxy[j])
// * inv[j]) for j < len(x), the subtractions left to right.
func subProjScale[T linalg.Float](x, y []T, mx, mxy, inv []float64) {
	y, mx, mxy, inv = y[:len(x)], mx[:len(x)], mxy[:len(x)], inv[:len(x)]
	if useAsm && len(x) > 0 {
		switch x := any(x).(type) {
		case []float32:
			y := any(y).([]float32)
			asm.SubProjScale32(len(x), &x[0], &y[0], &mx[0], &mxy[0], &inv[0])
			return
		case []float64:
			y := any(y).([]float64)
			asm.SubProjScale64(len(x), &x[0], &y[0], &mx[0], &mxy[0], &inv[0])
			return
		}
	}
	for j, v := range x {
		x[j] = T((float64(v) - mx[j] - float64(float64(y[j])*mxy[j])) * inv[j])
	}
}

// mulSum sets x[j] = T(float64(x[j]) * (a + b[j])) for j < len(x) (b may be
// longer): the row of InfoNCE's weights W_ij = a_ij (u_i + u_j). The AVX2
// kernel does the same two roundings per entry (TestMulSumAsm).
func mulSum[T linalg.Float](x []T, a float64, b []float64) {
	b = b[:len(x)]
	if useAsm && len(x) > 0 {
		switch x := any(x).(type) {
		case []float32:
			asm.MulSum32(len(x), &x[0], a, &b[0])
			return
		case []float64:
			asm.MulSum64(len(x), &x[0], a, &b[0])
			return
		}
	}
	for j, v := range x {
		x[j] = T(float64(v) * (a + b[j]))
	}
}
