package experiment

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/eigenssl/eigenssl/data"
)

// cacheVersion is mixed into every cell key; bump it when a cell's
// computation changes so that stale results are not reused.
const cacheVersion = 15

// Cache stores finished cells of an experiment as JSON files
// Dir/<sha256 of the key>.json, written atomically (temporary file and
// rename), so that an interrupted run resumes without recomputing them. A
// nil *Cache or an empty Dir computes every cell.
type Cache struct {
	Dir string
	// Hits and Misses count the cells read from disk and computed; Shared
	// counts the hits on cells this Cache computed itself (a cell used more
	// than once in one run, such as E3's supervised baseline, which is the
	// same for every graph), so Hits − Shared cells came from an earlier
	// run.
	Hits, Misses, Shared int
	made                 map[string]bool // files this Cache wrote
}

// cellKey is hashed to name a cell's file; it is also stored in the file so
// that a hash collision cannot return a foreign result.
type cellKey struct {
	Version int    `json:"version"`
	Exp     string `json:"exp"`
	Key     any    `json:"key"`
}

type cellFile struct {
	Key    json.RawMessage `json:"key"`
	Result json.RawMessage `json:"result"`
}

// cell returns the cached result for key or computes, stores and returns it.
func cell[T any](c *Cache, exp string, key any, compute func() (T, error)) (T, error) {
	var zero T
	if c == nil || c.Dir == "" {
		return compute()
	}
	kb, err := json.Marshal(cellKey{cacheVersion, exp, key})
	if err != nil {
		return zero, errorf("cache", "key", nil, err)
	}
	sum := sha256.Sum256(kb)
	path := filepath.Join(c.Dir, hex.EncodeToString(sum[:16])+".json")
	if b, err := os.ReadFile(path); err == nil {
		var f cellFile
		var out T
		if json.Unmarshal(b, &f) == nil && string(f.Key) == string(kb) && json.Unmarshal(f.Result, &out) == nil {
			c.Hits++
			if c.made[path] {
				c.Shared++
			}
			return out, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return zero, errorf("cache", "file", path, err)
	}
	out, err := compute()
	if err != nil {
		return zero, err
	}
	rb, err := json.Marshal(out)
	if err != nil {
		return zero, errorf("cache", "result", exp, err)
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return zero, errorf("cache", "dir", c.Dir, errors.Join(ErrIO, err))
	}
	fb, _ := json.Marshal(cellFile{Key: kb, Result: rb})
	if err := data.WriteAtomic(path, func(w io.Writer) error { _, err := w.Write(fb); return err }); err != nil {
		return zero, errorf("cache", "file", path, errors.Join(ErrIO, err))
	}
	c.Misses++
	if c.made == nil {
		c.made = map[string]bool{}
	}
	c.made[path] = true
	return out, nil
}

// writeJSON writes v as indented JSON to path atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return errorf("write", "json", path, err)
	}
	if err := data.WriteAtomic(path, func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err }); err != nil {
		return errorf("write", "file", path, errors.Join(ErrIO, err))
	}
	return nil
}
