package spectral_test

import (
	"github.com/eigenssl/eigenssl/internal/oracle"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

func principalAngles(a, b *mat.Dense) ([]float64, error) { return linalg.PrincipalAngles(a, b) }

func oracleColumnsMatch(got, want *mat.Dense, tol float64) string {
	return oracle.ColumnsMatch(got, want, tol)
}
