package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/spectral"
	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"
)

func init() { verbs = append(verbs, NewCmdEmbed) }

// embedOptions are the flags of the "embed" verb.
type embedOptions struct {
	Method       string
	Input        string
	Graph        string
	GraphFile    string
	Components   int
	Out          string
	Transform    string
	TransformOut string
	Precomputed  bool
	Kernel       string
	Gamma        float64
	Degree       int
	Coef0        float64
	Landmarks    int
	Unnormalized bool
	UnitVectors  bool
	Linear       bool
	ViewA        int
	LLEMethod    string
	Reg          float64
	regSet       bool // --reg given (an explicit 0 is an error, not the default)
	Solver       string
	Seed         uint64
	Force        bool
	Strict       bool
	ModelOut     string
	Radius       float64
	Metric       string
	P            float64
	GeodesicsOut string
	FitInverse   bool
	Affinity     string
	KeepFirst    bool
	Alpha        float64
	alphaSet     bool
}

// NewCmdEmbed returns the "embed" verb: fit one spectral embedding method
// and write the embedding (and optionally the embedding of new points).
func NewCmdEmbed(s *Streams) *cobra.Command {
	opts := &embedOptions{}
	cmd := &cobra.Command{
		Use:   "embed --method NAME --input X.npy [--graph knn:k=15 | --graph-file edges.csv] -k 10 -o Z.npy [--transform new.npy --transform-out Znew.npy]",
		Short: "Compute a spectral embedding (LE, LPP, ISOMAP, MDS, kernel PCA, LLE, CCA, ...)",
		Long: `Fit one spectral embedding method of package spectral to the rows of --input
(.npy, .npz or .csv, header optional; a scipy.sparse.save_npz CSR file is read
sparse: le keeps a precomputed affinity or neighbour graph sparse, other
methods densify it up to 2^28 entries) and write the N x k embedding to -o
(.npy, .npz or .csv). Prints one JSON line {"method", "n", "k", "eigenvalues",
"out"}.

Methods (conventions as scikit-learn 1.2; see "go doc spectral"):
  le        Laplacian eigenmaps (normalised: u/sqrt(deg); --unnormalized, --unit-vectors,
            --affinity rbf|precomputed_nearest_neighbors, --keep-first, --strict)
  lpp       locality preserving projections (linear LE)
  klpp      kernel LPP (--kernel rbf|linear|poly, --gamma, --degree, --coef0)
  lle       locally linear embedding (--lle-method standard|modified|hessian|ltsa, --reg)
  mds       classical (Torgerson) MDS (--landmarks m for landmark MDS)
  isomap    ISOMAP (--landmarks m, --radius r, --metric, --geodesics-out)
  kpca      kernel PCA (--kernel, --gamma, --degree, --coef0; --landmarks m for Nystrom;
            --fit-inverse [--alpha a] for transform --inverse)
  cca       closed-form CCA of two views side by side (--view-a = columns of view a)
  graphcca  shared-weight CCA on the pairs of G (BarlowTwins, linear regime)
  spectral  spectral contrastive closed form (--linear for the linear regime)

--graph knn:k=K sets the neighbourhood size of the neighbour-based methods
(the point itself counts among the K for le, lpp, klpp, graphcca and spectral,
as in scikit-learn's SpectralEmbedding; isomap and lle use K other points);
--graph knn:k=K,approx makes that search approximate (NN-descent from 2048
rows on, seeded by --seed; le, lpp, klpp, graphcca and spectral only);
--graph-file reads the relation graph G as an edge list (le, lpp, klpp,
graphcca, spectral). --precomputed reads --input as an N x N affinity (le,
spectral), distance (mds) or kernel (kpca) matrix. --transform embeds new
rows (out-of-sample: exact, kernel formula or Nystrom, per method) into
--transform-out. --model-out DIR saves the fitted model; "eigenssl transform
--model DIR" embeds new rows later without refitting.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.regSet = cmd.Flags().Changed("reg")
			opts.alphaSet = cmd.Flags().Changed("alpha")
			return embedRun(opts, s)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Method, "method", "", "method: "+strings.Join(spectral.Methods(), ", "))
	f.StringVar(&opts.Input, "input", "", "data matrix (.npy/.npz/.csv), one sample per row")
	f.StringVar(&opts.Graph, "graph", "", "neighbour graph spec: knn:k=K, or knn:k=K,approx for the approximate search (le, lpp, klpp, graphcca, spectral)")
	f.StringVar(&opts.GraphFile, "graph-file", "", "relation graph G as an edge-list file (.csv or .npz)")
	f.IntVarP(&opts.Components, "components", "k", 2, "number of components")
	f.StringVarP(&opts.Out, "output", "o", "", "output file for the embedding (.npy/.npz/.csv)")
	f.StringVar(&opts.Transform, "transform", "", "new rows to embed out of sample")
	f.StringVar(&opts.TransformOut, "transform-out", "", "output file for the embedding of --transform")
	f.BoolVar(&opts.Precomputed, "precomputed", false, "--input is a precomputed N x N affinity/distance/kernel matrix")
	f.StringVar(&opts.Kernel, "kernel", "", "kernel of kpca/klpp: linear (default), rbf, poly")
	f.Float64Var(&opts.Gamma, "gamma", 0, "kernel gamma (default 1/D)")
	f.IntVar(&opts.Degree, "degree", 0, "polynomial kernel degree (default 3)")
	f.Float64Var(&opts.Coef0, "coef0", 0, "polynomial kernel constant")
	f.IntVar(&opts.Landmarks, "landmarks", 0, "landmark count for mds/isomap/kpca (0: exact)")
	f.BoolVar(&opts.Unnormalized, "unnormalized", false, "le: unnormalised Laplacian D - G")
	f.BoolVar(&opts.UnitVectors, "unit-vectors", false, "le: unit eigenvectors of L_sym instead of u/sqrt(deg)")
	f.BoolVar(&opts.Linear, "linear", false, "spectral: linear regime Z = X W")
	f.IntVar(&opts.ViewA, "view-a", 0, "cca: number of leading columns forming view a (default D/2)")
	f.StringVar(&opts.LLEMethod, "lle-method", "", "lle: standard (default), modified, hessian or ltsa")
	f.Float64Var(&opts.Reg, "reg", 0, "lle: regularisation of the local Gram matrices (default 1e-3, scikit-learn's reg)")
	f.StringVar(&opts.Solver, "solver", "auto", "eigensolver: auto, dense, iterative")
	f.Uint64Var(&opts.Seed, "seed", 0, "random seed (iterative solver, landmarks, --graph knn:k=K,approx)")
	f.BoolVar(&opts.Force, "force", false, "allow O(N^2) methods above their size limit")
	f.Float64Var(&opts.Radius, "radius", 0, "isomap: radius neighbourhoods (instead of --graph knn:k=K)")
	f.StringVar(&opts.Metric, "metric", "", "isomap: euclidean (default), minkowski (--p), manhattan, cosine; --precomputed reads distances")
	f.Float64Var(&opts.P, "p", 0, "isomap: Minkowski exponent for --metric minkowski (default 2)")
	f.StringVar(&opts.GeodesicsOut, "geodesics-out", "", "isomap: write the geodesic distance matrix (N x N, or landmarks x N) here")
	f.StringVar(&opts.Affinity, "affinity", "", "le: nearest_neighbors (default), rbf (--gamma, dense O(N^2)), precomputed_nearest_neighbors (--input: N x N neighbour distances, 0 = none)")
	f.BoolVar(&opts.KeepFirst, "keep-first", false, "le: keep the constant first eigenvector (scikit-learn's drop_first=False)")
	f.BoolVar(&opts.FitInverse, "fit-inverse", false, "kpca: learn the pre-image map (transform --inverse; scikit-learn's fit_inverse_transform)")
	f.Float64Var(&opts.Alpha, "alpha", 0, "kpca: ridge of the pre-image map (default 1, scikit-learn's alpha)")
	f.StringVar(&opts.ModelOut, "model-out", "", "directory to save the fitted model in (for \"eigenssl transform --model DIR\")")
	f.BoolVar(&opts.Strict, "strict", false, "le, isomap: refuse a disconnected graph (default: warn and continue as scikit-learn; isomap joins the components by their closest pairs)")
	return cmd
}

// embedGraphNeighbors parses a --graph spec (graph.ParseRelation): only
// "knn:k=K" and "knn:k=K,approx" are supported, since each method fixes its
// own kNN weights. approx selects the approximate neighbour search
// (graph.KNNOptions.Approx) with the random seed seed.
func embedGraphNeighbors(spec string, seed uint64) (int, graph.KNNOptions, error) {
	r, err := graph.ParseRelation(spec)
	if err != nil {
		return 0, graph.KNNOptions{}, usageError{fmt.Errorf("embed: --graph: %w", err)}
	}
	if r.Kind != graph.KNNRelation {
		return 0, graph.KNNOptions{}, usagef("embed: --graph %q: only knn:k=K[,approx] is supported", spec)
	}
	if r.Options != (graph.KNNOptions{}) && r.Options != (graph.KNNOptions{Approx: true}) {
		return 0, graph.KNNOptions{}, usagef("embed: --graph %q: only k and approx are configurable (knn:k=K[,approx]); the methods fix their own weights", spec)
	}
	search := r.Options
	if search.Approx {
		search.Seed = seed
	}
	return r.K, search, nil
}

// embedConfigure sets the hyper-parameters of m from the flags, refusing
// flags the method does not take.
func embedConfigure(m spectral.Estimator, opts *embedOptions, neighbors int, search graph.KNNOptions) error {
	solver, err := spectral.ParseSolver(opts.Solver)
	if err != nil {
		return usageError{err}
	}
	var kernel spectral.Kernel
	if opts.Kernel != "" {
		if kernel, err = spectral.ParseKernel(opts.Kernel); err != nil {
			return usageError{err}
		}
	}
	name := opts.Method
	// The method-specific flags and whether each is set, in the order
	// they are reported when a method does not take them.
	checks := []struct {
		flag string
		set  bool
	}{
		{"--graph", opts.Graph != ""},
		{"--graph-file", opts.GraphFile != ""},
		{"--precomputed", opts.Precomputed},
		{"--kernel", opts.Kernel != "" || opts.Degree != 0 || opts.Coef0 != 0},
		{"--landmarks", opts.Landmarks != 0},
		{"--unnormalized", opts.Unnormalized},
		{"--unit-vectors", opts.UnitVectors},
		{"--linear", opts.Linear},
		{"--view-a", opts.ViewA != 0},
		{"--lle-method", opts.LLEMethod != ""},
		{"--strict", opts.Strict},
		{"--reg", opts.regSet},
		{"--radius", opts.Radius != 0},
		{"--metric", opts.Metric != "" || opts.P != 0},
		{"--geodesics-out", opts.GeodesicsOut != ""},
		{"--fit-inverse", opts.FitInverse || opts.alphaSet},
		{"--gamma", opts.Gamma != 0},
		{"--affinity", opts.Affinity != ""},
		{"--keep-first", opts.KeepFirst},
	}
	var allowed map[string]bool
	k := opts.Components
	switch e := m.(type) {
	case *spectral.LaplacianEigenmaps:
		*e = spectral.LaplacianEigenmaps{Components: k, Neighbors: neighbors, Precomputed: opts.Precomputed,
			Unnormalized: opts.Unnormalized, UnitVectors: opts.UnitVectors, Strict: opts.Strict, Affinity: opts.Affinity, Gamma: opts.Gamma,
			KeepFirst: opts.KeepFirst, Force: opts.Force, Solver: solver, Seed: opts.Seed, Search: search}
		allowed = map[string]bool{"--graph": true, "--graph-file": true, "--precomputed": true, "--unnormalized": true, "--unit-vectors": true,
			"--strict": true, "--affinity": true, "--gamma": true, "--keep-first": true}
	case *spectral.LPP:
		*e = spectral.LPP{Components: k, Neighbors: neighbors, Search: search}
		allowed = map[string]bool{"--graph": true, "--graph-file": true}
	case *spectral.KernelLPP:
		*e = spectral.KernelLPP{Components: k, Neighbors: neighbors, Search: search, Kernel: kernel, Gamma: opts.Gamma, Degree: opts.Degree, Coef0: opts.Coef0, Force: opts.Force}
		allowed = map[string]bool{"--graph": true, "--graph-file": true, "--kernel": true, "--gamma": true}
	case *spectral.LLE:
		if search.Approx {
			return usagef("embed: --graph %q: method lle takes no approx (its neighbour search is exact)", opts.Graph)
		}
		if opts.regSet && !(opts.Reg > 0) {
			return usagef("embed: --reg %g: want a value > 0", opts.Reg)
		}
		*e = spectral.LLE{Components: k, Neighbors: neighbors, Method: opts.LLEMethod, Reg: opts.Reg, Solver: solver, Seed: opts.Seed}
		allowed = map[string]bool{"--graph": true, "--lle-method": true, "--reg": true}
	case *spectral.ClassicalMDS:
		*e = spectral.ClassicalMDS{Components: k, Precomputed: opts.Precomputed, Landmarks: opts.Landmarks, Solver: solver, Seed: opts.Seed, Force: opts.Force}
		allowed = map[string]bool{"--precomputed": true, "--landmarks": true}
	case *spectral.Isomap:
		if search.Approx {
			return usagef("embed: --graph %q: method isomap takes no approx (its neighbour search is exact)", opts.Graph)
		}
		metric := opts.Metric
		if opts.Precomputed {
			if metric != "" {
				return usagef("embed: give at most one of --precomputed and --metric %s", metric)
			}
			metric = "precomputed"
		}
		*e = spectral.Isomap{Components: k, Neighbors: neighbors, Radius: opts.Radius, Metric: metric, P: opts.P, Landmarks: opts.Landmarks,
			Solver: solver, Seed: opts.Seed, Force: opts.Force, Strict: opts.Strict}
		allowed = map[string]bool{"--graph": true, "--landmarks": true, "--strict": true, "--radius": true, "--metric": true, "--precomputed": true, "--geodesics-out": true}
	case *spectral.KernelPCA:
		if opts.Precomputed {
			kernel = spectral.KernelPrecomputed
		}
		if opts.alphaSet && (!opts.FitInverse || !(opts.Alpha > 0)) {
			return usagef("embed: --alpha %g: want a value > 0, with --fit-inverse", opts.Alpha)
		}
		*e = spectral.KernelPCA{Components: k, Kernel: kernel, Gamma: opts.Gamma, Degree: opts.Degree, Coef0: opts.Coef0, Landmarks: opts.Landmarks,
			FitInverse: opts.FitInverse, Alpha: opts.Alpha, Solver: solver, Seed: opts.Seed, Force: opts.Force}
		allowed = map[string]bool{"--precomputed": true, "--kernel": true, "--gamma": true, "--landmarks": true, "--fit-inverse": true}
	case *spectral.CCA:
		*e = spectral.CCA{Components: k, ViewA: opts.ViewA}
		allowed = map[string]bool{"--view-a": true}
	case *spectral.GraphCCA:
		*e = spectral.GraphCCA{Components: k, Neighbors: neighbors, Search: search}
		allowed = map[string]bool{"--graph": true, "--graph-file": true}
	case *spectral.SpectralContrastive:
		*e = spectral.SpectralContrastive{Components: k, Neighbors: neighbors, Search: search, Precomputed: opts.Precomputed, Linear: opts.Linear, Solver: solver, Seed: opts.Seed}
		allowed = map[string]bool{"--graph": true, "--graph-file": true, "--precomputed": true, "--linear": true}
	default:
		return fmt.Errorf("embed: method %s has no flag mapping", name)
	}
	for _, c := range checks {
		if c.set && !allowed[c.flag] {
			return usagef("embed: method %s does not take %s", name, c.flag)
		}
	}
	return nil
}

func embedRun(opts *embedOptions, s *Streams) error {
	switch {
	case opts.Method == "":
		return usagef("embed: --method is required (one of %s)", strings.Join(spectral.Methods(), ", "))
	case opts.Input == "":
		return usagef("embed: --input is required")
	case opts.Out == "":
		return usagef("embed: -o is required")
	case opts.Graph != "" && opts.GraphFile != "":
		return usagef("embed: give at most one of --graph and --graph-file")
	case (opts.Transform == "") != (opts.TransformOut == ""):
		return usagef("embed: --transform and --transform-out go together")
	case opts.Components < 1:
		return usagef("embed: -k must be positive, got %d", opts.Components)
	}
	if err := data.CheckOutputs(data.Output{Flag: "--input", Path: opts.Input, Input: true}, data.Output{Flag: "--graph-file", Path: opts.GraphFile, Input: true},
		data.Output{Flag: "--transform", Path: opts.Transform, Input: true},
		data.Output{Flag: "-o", Path: opts.Out}, data.Output{Flag: "--transform-out", Path: opts.TransformOut},
		data.Output{Flag: "--geodesics-out", Path: opts.GeodesicsOut}, data.Output{Flag: "--model-out", Path: opts.ModelOut, Dir: true}); err != nil {
		return usageError{fmt.Errorf("embed: %w", err)}
	}
	m, err := spectral.New(opts.Method)
	if err != nil {
		return usageError{err}
	}
	neighbors := 0
	var search graph.KNNOptions
	if opts.Graph != "" {
		if neighbors, search, err = embedGraphNeighbors(opts.Graph, opts.Seed); err != nil {
			return err
		}
	}
	if err := embedConfigure(m, opts, neighbors, search); err != nil {
		return err
	}
	n, err := embedFit(m, opts)
	if err != nil {
		return err
	}
	z := m.Embedding()
	if err := data.WriteMatrix(opts.Out, z); err != nil {
		return err
	}
	res := map[string]any{"method": opts.Method, "n": n, "k": opts.Components, "eigenvalues": m.Eigenvalues(), "out": opts.Out}
	if opts.GeodesicsOut != "" {
		iso := m.(*spectral.Isomap) // embedConfigure allows --geodesics-out for isomap only
		if err := data.WriteMatrix(opts.GeodesicsOut, iso.Geodesics()); err != nil {
			return err
		}
		res["geodesics_out"] = opts.GeodesicsOut
		if re, err := iso.ReconstructionError(); err == nil {
			res["reconstruction_error"] = re
		}
	}
	if opts.ModelOut != "" {
		if err := spectral.Save(opts.ModelOut, m); err != nil {
			return fmt.Errorf("embed: --model-out %s: %w", opts.ModelOut, err)
		}
		res["model"] = opts.ModelOut
	}
	if opts.Transform != "" {
		xn, err := readDenseInput("embed", "--transform", opts.Transform)
		if err != nil {
			return err
		}
		zn, err := m.Transform(xn)
		if err != nil {
			return err
		}
		if err := data.WriteMatrix(opts.TransformOut, zn); err != nil {
			return err
		}
		rows, _ := zn.Dims()
		res["transform_out"], res["transform_rows"] = opts.TransformOut, rows
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.Out, string(b))
	return nil
}

// embedFit fits m to --input and returns its number of rows. A scipy
// save_npz CSR input goes to FitSparse (an affinity or neighbour graph is
// never densified) when the method has it and no --graph-file is given,
// else it is densified (readDenseInput).
func embedFit(m spectral.Estimator, opts *embedOptions) (int, error) {
	if se, ok := m.(spectral.SparseEstimator); ok && opts.GraphFile == "" && data.IsNPZCSR(opts.Input) {
		sparse, err := data.ReadNPZCSR(opts.Input)
		if err != nil {
			return 0, err
		}
		if err := se.FitSparse(sparse); err != nil {
			return 0, fmt.Errorf("embed: --input %s: %w", opts.Input, err)
		}
		return sparse.Rows, nil
	}
	x, err := readDenseInput("embed", "--input", opts.Input)
	if err != nil {
		return 0, err
	}
	n, _ := x.Dims()
	if opts.GraphFile == "" {
		return n, m.Fit(x)
	}
	ge, ok := m.(spectral.GraphEstimator)
	if !ok {
		return 0, usagef("embed: method %s does not take --graph-file (graph methods: %s)", opts.Method, strings.Join(spectral.GraphMethods(), ", "))
	}
	g, _, err := graph.ReadEdgeFile(opts.GraphFile, n) // n vertices: a larger index is an error
	if err != nil {
		return 0, err
	}
	if err := ge.FitGraph(x, g); err != nil {
		return 0, fmt.Errorf("embed: --graph-file %s: %w", opts.GraphFile, err)
	}
	return n, nil
}

// readDenseInput reads a matrix file, a scipy save_npz CSR file densified
// (spectral.DenseFromSparse's size limit) or any format of data.ReadMatrix.
func readDenseInput(verb, flag, path string) (*mat.Dense, error) {
	if !data.IsNPZCSR(path) {
		return data.ReadMatrix(path)
	}
	sp, err := data.ReadNPZCSR(path)
	if err != nil {
		return nil, err
	}
	x, err := spectral.DenseFromSparse(verb, sp)
	if err != nil {
		return nil, fmt.Errorf("%s: %s %s: %w", verb, flag, path, err)
	}
	return x, nil
}
