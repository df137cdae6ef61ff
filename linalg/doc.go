// Package linalg holds the dense and sparse symmetric eigensolvers eigenssl is
// built on, and the choice of BLAS/LAPACK backend.
package linalg
