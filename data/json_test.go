package data

import (
	"encoding/json"
	"fmt"
	"math"
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
