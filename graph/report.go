package graph

import "time"

// Report summarises a built relation graph (the JSON line of `eigenssl
// graph`): the canonical spec, the size, the build
// time, the component count and the degree statistics, both weighted
// (d_i = sum_j G_ij) and as neighbour counts (stored entries per row).
type Report struct {
	Relation      string  `json:"relation"`
	Source        string  `json:"source"`
	N             int     `json:"n"`
	Edges         int     `json:"edges"`
	BuildSeconds  float64 `json:"build_s"`
	Components    int     `json:"components"`
	Isolated      int     `json:"isolated"`
	MinNeighbors  int     `json:"min_neighbors"`
	MaxNeighbors  int     `json:"max_neighbors"`
	MeanNeighbors float64 `json:"mean_neighbors"`
	MinDegree     float64 `json:"min_degree"`
	MaxDegree     float64 `json:"max_degree"`
	MeanDegree    float64 `json:"mean_degree"`
}

// NewReport returns the Report of g built from r in the given time (Info
// from Describe; neighbour counts from the CSR rows). Cost O(N + NNZ).
func NewReport(r Relation, g *CSR, in Info, build time.Duration) Report {
	rep := Report{Relation: r.String(), Source: in.Source, N: in.N, Edges: in.Edges,
		BuildSeconds: build.Seconds(), Components: in.Components, Isolated: in.Isolated,
		MinDegree: in.MinDegree, MaxDegree: in.MaxDegree, MeanDegree: in.MeanDegree}
	if g.N == 0 {
		return rep
	}
	rep.MinNeighbors = g.RowPtr[1] - g.RowPtr[0]
	for i := 0; i < g.N; i++ {
		c := g.RowPtr[i+1] - g.RowPtr[i]
		rep.MinNeighbors = min(rep.MinNeighbors, c)
		rep.MaxNeighbors = max(rep.MaxNeighbors, c)
	}
	rep.MeanNeighbors = float64(g.RowPtr[g.N]) / float64(g.N)
	return rep
}
