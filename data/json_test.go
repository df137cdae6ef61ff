package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJSONFloatRoundTrip(t *testing.T) {
	in := JSONFloats([]float64{1.5, math.NaN(), math.Inf(1), math.Inf(-1), -0.1, 1e-300})
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "[1.5,null,null,null,-0.1,1e-300]" {
		t.Errorf("marshal: %s", b)
	}
	var back []JSONFloat
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for i, v := range back {
		w := float64(in[i])
		if math.IsNaN(w) || math.IsInf(w, 0) {
			if !math.IsNaN(float64(v)) {
				t.Errorf("[%d]: %v; want NaN for null", i, v)
			}
		} else if float64(v) != w {
			t.Errorf("[%d]: %v; want %v", i, v, w)
		}
	}
}

func ExampleJSONFloat() {
	b, _ := json.Marshal(map[string]JSONFloat{"loss": JSONFloat(math.NaN()), "lr": 0.001})
	fmt.Println(string(b))
	// Output: {"loss":null,"lr":0.001}
}

// WriteJSON writes indented JSON that reads back; a value encoding/json
// refuses is an ErrParam naming the file and leaves no file behind.
func TestWriteJSON(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.json")
	in := map[string]any{"n": 3, "acc": JSONFloats([]float64{0.5, math.NaN()})}
	if err := WriteJSON(p, in); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"acc\": [\n    0.5,\n    null\n  ],\n  \"n\": 3\n}\n"; string(b) != want {
		t.Errorf("wrote %q; want %q", b, want)
	}
	q := filepath.Join(dir, "bad.json")
	err = WriteJSON(q, map[string]float64{"x": math.NaN()})
	if !errors.Is(err, ErrParam) || !strings.Contains(err.Error(), q) {
		t.Errorf("NaN float64: %v; want ErrParam naming %s", err, q)
	}
	if _, err := os.Stat(q); !os.IsNotExist(err) {
		t.Errorf("a refused value left %s behind", q)
	}
	if err := WriteJSON(filepath.Join(dir, "missing", "r.json"), in); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing directory: %v", err)
	}
}

func ExampleWriteJSON() {
	dir, _ := os.MkdirTemp("", "writejson")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "summary.json")
	_ = WriteJSON(p, map[string]JSONFloat{"loss": JSONFloat(math.Inf(1)), "lr": 0.001})
	b, _ := os.ReadFile(p)
	fmt.Print(string(b))
	// Output:
	// {
	//   "loss": null,
	//   "lr": 0.001
	// }
}
