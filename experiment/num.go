package experiment

import (
	"math"

	"github.com/eigenssl/eigenssl/data"
)

// Num is a float64 that survives JSON (NaN and ±Inf as null, read back as
// NaN): data.JSONFloat, the one NaN-to-JSON rule.
type Num = data.JSONFloat

func nums(x []float64) []Num { return data.JSONFloats(x) }

func nan() Num       { return Num(math.NaN()) }
func nan64() float64 { return math.NaN() }
