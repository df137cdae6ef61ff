package data

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
	"gonum.org/v1/gonum/mat"
)

func BenchmarkReadNPY(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("N=%d/D=64", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			m := mat.NewDense(n, 64, nil)
			for i := range n {
				for j := range 64 {
					m.Set(i, j, rng.NormFloat64())
				}
			}
			var buf bytes.Buffer
			npy.Write(&buf, m)
			raw := buf.Bytes()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := readNPY(bytes.NewReader(raw)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMakeViews(b *testing.B) {
	ds, err := Digits()
	if err != nil {
		b.Fatal(err)
	}
	for _, spec := range []string{"shift:2+noise:0.1", "rotate:10+cutout:3", "jitter:0.05"} {
		aug, _ := ParseAugment(spec, ds.ImageShape)
		b.Run(fmt.Sprintf("N=1797/V=2/%s", spec), func(b *testing.B) {
			for b.Loop() {
				if _, _, err := MakeViews(ds.X, 2, aug, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDigits(b *testing.B) {
	for b.Loop() {
		if _, err := Digits(); err != nil {
			b.Fatal(err)
		}
	}
}
