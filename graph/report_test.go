package graph

import (
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// TestNewReport builds knn:k=2 on two far-apart groups of three points on
// a line (two components, known neighbour counts) and checks the report.
func TestNewReport(t *testing.T) {
	x := mat.NewDense(6, 1, []float64{0, 1, 3, 100, 101, 103})
	r, err := ParseRelation("knn:k=2")
	if err != nil {
		t.Fatal(err)
	}
	g, in, err := r.Build(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := NewReport(r, g, in, 3*time.Millisecond)
	// Each group is a triangle (every point lists the other two): 3 edges,
	// 2 neighbours each.
	want := Report{Relation: "knn:k=2", Source: "knn(k=2,euclidean,union,binary)", N: 6, Edges: 6,
		Components: 2, MinNeighbors: 2, MaxNeighbors: 2, MeanNeighbors: 2, MinDegree: 2, MaxDegree: 2, MeanDegree: 2}
	want.BuildSeconds = 0.003
	if rep != want {
		t.Errorf("report %+v; want %+v", rep, want)
	}
	if g.NNZ() != 12 {
		t.Errorf("NNZ %d; want 12", g.NNZ())
	}
	// Uneven counts: k=1 on 0, 1, 3, 7 gives 0-1, 1-0, 3-1, 7-3: point 1
	// has neighbours 0 and 3, point 3 has 1 and 7.
	y := mat.NewDense(4, 1, []float64{0, 1, 3, 7})
	r1, _ := ParseRelation("knn:1")
	g1, in1, err := r1.Build(y, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep = NewReport(r1, g1, in1, 0)
	if rep.MinNeighbors != 1 || rep.MaxNeighbors != 2 || rep.MeanNeighbors != 1.5 || rep.Components != 1 || rep.Edges != 3 {
		t.Errorf("k=1 report %+v", rep)
	}
}
