package data

import (
	"bufio"
	"io"
)

// NPYShape returns the shape stored in the header of the .npy file at path
// (optionally gzip-compressed, .npy.gz) without reading its data, so that
// the rows of many shards can be counted before any is read.
func NPYShape(path string) ([]int, error) {
	const op = "NPYShape"
	ft, gz := formatOf(path)
	if ft != fmtNPY {
		return nil, fileErr(op, path, detail(ErrFormat, "not a .npy file (want .npy or .npy.gz)"))
	}
	rc, err := openData(path, gz)
	if err != nil {
		return nil, fileErr(op, path, err)
	}
	defer rc.Close()
	shape, err := ReadNPYShape(bufio.NewReader(rc))
	if err != nil {
		return nil, fileErr(op, path, err)
	}
	return shape, nil
}

// ReadNPYShape reads a .npy header from r (for files on remote file
// systems) and returns the shape it declares; r is left at the data.
func ReadNPYShape(r io.Reader) ([]int, error) {
	shape, _, _, err := readNPYHeader(r)
	return shape, err
}

// ViewSeed returns the PCG seed pair of view v (of views) of original
// sample index sample at augmentation step step (0 for fixed views, else
// 1-based; a closed form over M draws uses steps 1..M). It depends only on
// its arguments, never on scheduling or on how the data are sharded:
//
//	(splitmix64(seed ^ splitmix64(step ^ 0x6175676d)), sample·views + v)
//
// (the seeding of train's fresh views, so that a streamed or expected-graph
// closed form sees the views training sees).
func ViewSeed(seed uint64, step, sample, v, views int) (uint64, uint64) {
	return splitmix64(seed ^ splitmix64(uint64(step)^0x6175676d)), uint64(sample)*uint64(views) + uint64(v)
}

// splitmix64 is the SplitMix64 finaliser, used to derive independent seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
