package spectral_test

import (
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

func principalAngles(a, b *mat.Dense) ([]float64, error) { return linalg.PrincipalAngles(a, b) }
