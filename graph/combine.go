package graph

import "fmt"

// Join returns the relation graph G_ij = max(A_ij, B_ij) (the lattice join)
// of two relation graphs on the same N vertices: a pair related in either is
// related in G (for 0/1 relations, the union of the edge sets). Both must be well-formed
// (columns strictly increasing per row, as Validate checks); the result is
// too. It returns an *Error wrapping ErrShape when the sizes differ. Cost
// O(NNZ(A) + NNZ(B)).
func Join(a, b *CSR) (*CSR, error) {
	if a.N != b.N {
		return nil, newErr("join", "N", fmt.Sprintf("%d vs %d", a.N, b.N), ErrShape)
	}
	g := &CSR{N: a.N, RowPtr: make([]int, a.N+1)}
	g.Col = make([]int, 0, len(a.Col)+len(b.Col))
	g.Val = make([]float64, 0, len(a.Col)+len(b.Col))
	for i := 0; i < a.N; i++ {
		p, pe := a.RowPtr[i], a.RowPtr[i+1]
		q, qe := b.RowPtr[i], b.RowPtr[i+1]
		for p < pe || q < qe {
			switch {
			case q == qe || (p < pe && a.Col[p] < b.Col[q]):
				g.Col, g.Val = append(g.Col, a.Col[p]), append(g.Val, a.Val[p])
				p++
			case p == pe || b.Col[q] < a.Col[p]:
				g.Col, g.Val = append(g.Col, b.Col[q]), append(g.Val, b.Val[q])
				q++
			default:
				g.Col, g.Val = append(g.Col, a.Col[p]), append(g.Val, max(a.Val[p], b.Val[q]))
				p++
				q++
			}
		}
		g.RowPtr[i+1] = len(g.Col)
	}
	return g, nil
}
