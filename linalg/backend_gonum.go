//go:build !openblas

package linalg

const backendName = "gonum"
