package loss

import (
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// NameVICRegSmooth is the name of VICRegSmooth in New.
const NameVICRegSmooth = "vicreg_smooth"

// VICRegSmooth is the smooth VICReg surrogate of docs/THEORY.md section 4
// on one stacked Z (N x K) and the relation graph G:
//
//	C     = Zᵀ H Z / N                                  (biased 1/N covariance)
//	value = ‖C − I‖_F² + (γ/N) Σ_ij G_ij ‖z_i − z_j‖²   (ordered pairs)
//	      = ‖C − I‖_F² + (2γ/N) Tr(Zᵀ L Z)
//	∇_Z   = (4/N) H Z (C − I) + (4γ/N) L Z
//
// Parts: "cov" = ‖C − I‖_F², "inv" = (1/N) Σ_ij G_ij ‖z_i − z_j‖². Its
// exact minimiser is Laplacian Eigenmaps with shrunk scales (package
// closedform, loss "vicreg"). With the unbiased 1/(N−1) covariance the
// optimum is the same with γ replaced by γ(N−1)/N. The zero value of Gamma
// means DefaultGamma; New("vicreg_smooth", {"gamma": γ}) rejects γ < 0.
// Cost O(N K² + nnz(G) K).
type VICRegSmooth struct {
	Gamma float64
}

func init() {
	registry[NameVICRegSmooth] = entry{
		keys:  []string{ParamGamma},
		build: func(p map[string]float64) Loss { return VICRegSmooth{Gamma: p[ParamGamma]} },
	}
	defaults[NameVICRegSmooth] = map[string]float64{ParamGamma: DefaultGamma}
}

// Name returns "vicreg_smooth".
func (VICRegSmooth) Name() string { return NameVICRegSmooth }

// Form returns GForm.
func (VICRegSmooth) Form() Form { return GForm }

// Eval implements Loss.
func (l VICRegSmooth) Eval(in Inputs, wantGrad bool) (Result, error) {
	if err := checkGForm(NameVICRegSmooth, in, 1); err != nil {
		return Result{}, err
	}
	gamma := l.Gamma
	if gamma == 0 {
		gamma = DefaultGamma
	}
	z := in.Z
	n, k := z.Dims()
	zc := linalg.CenterColumns(z)
	c := gramT(zc, 1/float64(n))
	for i := 0; i < k; i++ {
		c.Set(i, i, c.At(i, i)-1)
	}
	cov := mat.Norm(c, 2)
	cov *= cov
	inv := dirichlet(z, in.G) / float64(n)
	res := Result{Value: cov + gamma*inv, Parts: map[string]float64{"cov": cov, "inv": inv}}
	if wantGrad {
		grad := mat.NewDense(n, k, nil)
		linalg.GemmDense(false, false, 4/float64(n), zc, c, 0, grad)
		addLaplacian(grad, in.G, z, 4*gamma/float64(n))
		res.Grad = map[string]*mat.Dense{KeyZ: grad}
	}
	return res, nil
}

var _ Loss = VICRegSmooth{}

// addLaplacian adds a·L Z = a (D Z − G Z) to dst: the gradient of
// (a/4) Σ_ij G_ij ‖z_i − z_j‖² = (a/2) Tr(Zᵀ L Z), the invariance term of
// the VICReg losses. Cost O(nnz(G) K).
func addLaplacian(dst *mat.Dense, g *graph.CSR, z *mat.Dense, a float64) {
	d := g.Degree(nil)
	n, _ := z.Dims()
	for i := 0; i < n; i++ {
		row := dst.RawRowView(i)
		for j, v := range z.RawRowView(i) {
			row[j] += a * d[i] * v
		}
	}
	csrMulAdd(dst, g, z, -a)
}
