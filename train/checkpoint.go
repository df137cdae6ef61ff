package train

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/nn"
	"gonum.org/v1/gonum/mat"
)

// checkpointMagic starts every checkpoint file; the last byte is the format
// version: 2 adds the dtype after the counters; version 1 files (no dtype,
// float64) are still read.
var (
	checkpointMagic   = []byte("ESSLCKP\x02")
	checkpointMagicV1 = []byte("ESSLCKP\x01")
)

// checkpoint is the complete state of a run between two steps: with the
// Config and the data it fixes the rest of the trajectory bit for bit.
type checkpoint struct {
	Step     int // optimiser steps done
	Epoch    int // current epoch (0-based)
	Batch    int // batches of the current epoch already done
	Dtype    nn.Dtype
	Perm     []int  // permutation of the current epoch (nil in full batch or at an epoch start)
	RNG      []byte // rand.PCG state (MarshalBinary)
	Encoder  []byte // nn.Encoder.MarshalBinary
	Opt      []byte // nn.Optimizer.MarshalBinary
	DataHash [32]byte
}

// encode serialises c: magic, fields, then the SHA-256 of everything before.
func (c *checkpoint) encode() []byte {
	var b bytes.Buffer
	b.Write(checkpointMagic)
	u := func(v uint64) { b.Write(binary.LittleEndian.AppendUint64(nil, v)) }
	blob := func(p []byte) { u(uint64(len(p))); b.Write(p) }
	u(uint64(c.Step))
	u(uint64(c.Epoch))
	u(uint64(c.Batch))
	u(uint64(c.Dtype))
	u(uint64(len(c.Perm)))
	for _, p := range c.Perm {
		u(uint64(p))
	}
	blob(c.RNG)
	blob(c.Encoder)
	blob(c.Opt)
	b.Write(c.DataHash[:])
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	return b.Bytes()
}

// decodeCheckpoint parses encode's output; any truncation, trailing bytes or
// checksum failure is ErrCorrupt.
func decodeCheckpoint(p []byte) (*checkpoint, error) {
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
	}
	if len(p) < len(checkpointMagic)+sha256.Size ||
		!bytes.Equal(p[:len(checkpointMagic)], checkpointMagic) && !bytes.Equal(p[:len(checkpointMagic)], checkpointMagicV1) {
		return nil, corrupt("not a checkpoint (bad magic or too short)")
	}
	body, sum := p[:len(p)-sha256.Size], p[len(p)-sha256.Size:]
	if s := sha256.Sum256(body); !bytes.Equal(s[:], sum) {
		return nil, corrupt("checksum mismatch")
	}
	r := body[len(checkpointMagic):]
	var err error
	u := func() uint64 {
		if len(r) < 8 {
			err = corrupt("truncated")
			return 0
		}
		v := binary.LittleEndian.Uint64(r)
		r = r[8:]
		return v
	}
	count := func() int {
		v := u()
		if v > uint64(len(r)) {
			err = corrupt("length %d beyond the end", v)
			return 0
		}
		return int(v)
	}
	blob := func() []byte {
		n := count()
		out := r[:n:n]
		r = r[n:]
		return out
	}
	c := &checkpoint{Step: int(u()), Epoch: int(u()), Batch: int(u())}
	if p[len(checkpointMagic)-1] >= 2 {
		if d := u(); d > uint64(nn.Float32) {
			err = corrupt("dtype %d", d)
		} else {
			c.Dtype = nn.Dtype(d)
		}
	}
	if n := count(); n > 0 && err == nil {
		c.Perm = make([]int, n)
		for i := range c.Perm {
			c.Perm[i] = int(u())
		}
	}
	c.RNG, c.Encoder, c.Opt = blob(), blob(), blob()
	if err == nil && len(r) != len(c.DataHash) {
		err = corrupt("%d trailing bytes", len(r))
	}
	if err != nil {
		return nil, err
	}
	copy(c.DataHash[:], r)
	if c.Step < 0 || c.Epoch < 0 || c.Batch < 0 {
		return nil, corrupt("negative counter")
	}
	return c, nil
}

// writeFileAtomic writes p to path with data.WriteAtomic (synced temporary
// file in the same directory renamed over path).
func writeFileAtomic(path string, p []byte) error {
	return data.WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(p)
		return err
	})
}

// writeCheckpoint installs c as dir/checkpoint.bin so that a crash at any
// moment leaves a readable checkpoint: the bytes go to checkpoint.tmp
// (synced), the current checkpoint.bin is hard-linked (else copied) to
// checkpoint.prev, and checkpoint.tmp is renamed over checkpoint.bin.
// checkpoint.bin therefore always holds a complete old or new state.
func writeCheckpoint(dir string, c *checkpoint) error {
	tmp := filepath.Join(dir, TempCheckpoint)
	cur := filepath.Join(dir, CheckpointFile)
	prev := filepath.Join(dir, PrevCheckpoint)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(c.encode())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(cur); err == nil {
		if err := os.Remove(prev); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.Link(cur, prev); err != nil {
			b, rerr := os.ReadFile(cur)
			if rerr != nil {
				return rerr
			}
			if err := writeFileAtomic(prev, b); err != nil {
				return err
			}
		}
	}
	if err := os.Rename(tmp, cur); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not all systems support it
		d.Close()
	}
	return nil
}

// readCheckpoint returns the newest readable checkpoint of dir:
// checkpoint.bin, or checkpoint.prev when checkpoint.bin is missing or
// corrupt. checkpoint.tmp (a write cut short) is ignored.
func readCheckpoint(dir string) (*checkpoint, string, error) {
	var errs []error
	for _, name := range []string{CheckpointFile, PrevCheckpoint} {
		p, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		c, err := decodeCheckpoint(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		return c, name, nil
	}
	return nil, "", fmt.Errorf("%w in %s (%w)", ErrNoCheckpoint, dir, errors.Join(errs...))
}

// LoadEncoder returns the encoder of the newest readable checkpoint of the
// run directory dir (the trained model once the run has completed).
func LoadEncoder(dir string) (*nn.Encoder, error) {
	c, _, err := readCheckpoint(dir)
	if err != nil {
		return nil, &Error{Op: "LoadEncoder", Param: "dir", Value: dir, Err: err}
	}
	enc := new(nn.Encoder)
	err = enc.UnmarshalBinary(c.Encoder)
	if err == nil {
		err = enc.SetDtype(c.Dtype)
	}
	if err != nil {
		return nil, &Error{Op: "LoadEncoder", Param: CheckpointFile, Value: dir, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	return enc, nil
}

// dataHash fingerprints the training data so that Resume refuses other data.
func dataHash(x *mat.Dense, y []int) [32]byte {
	h := sha256.New()
	r, c := x.Dims()
	var buf [8]byte
	put := func(v uint64) { binary.LittleEndian.PutUint64(buf[:], v); h.Write(buf[:]) }
	put(uint64(r))
	put(uint64(c))
	for i := range r {
		for _, v := range x.RawRowView(i) {
			put(math.Float64bits(v))
		}
	}
	put(uint64(len(y)))
	for _, v := range y {
		put(uint64(v))
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// newPCG returns the run's generator for permutations.
func newPCG(seed uint64) *rand.PCG { return rand.NewPCG(seed, 0x7261696e) }
