// Package optimize minimises smooth unconstrained functions of a vector with
// limited-memory BFGS. It is the one minimiser of eigenssl: eval's logistic
// probe and closedform's numerical refinement both call Minimize.
//
// # Method
//
// L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4/7.5)
// keeps the last m secant pairs
//
//	s_k = x_{k+1} − x_k,  y_k = ∇f(x_{k+1}) − ∇f(x_k),  ρ_k = 1 / (y_kᵀ s_k)
//
// and applies the inverse-Hessian approximation H to the gradient with the
// two-loop recursion:
//
//	q = g
//	for i = k−1, …, k−m:  α_i = ρ_i s_iᵀ q;  q = q − α_i y_i
//	r = γ q,  γ = s_{k−1}ᵀ y_{k−1} / y_{k−1}ᵀ y_{k−1}
//	for i = k−m, …, k−1:  β = ρ_i y_iᵀ r;   r = r + (α_i − β) s_i
//	d = −r
//
// With no pairs yet (first iteration, or after a restart) the direction is
// steepest descent scaled to unit length at most, d = −g / max(1, ‖g‖₂).
// A pair is stored only when the curvature condition sᵀy > 10⁻¹² yᵀy
// holds, which keeps H positive definite; if d is nevertheless not a descent
// direction (gᵀd >= 0) the memory is cleared.
//
// # Line search
//
// Backtracking from the unit step t = 1, halving up to 60 times until the
// sufficient-decrease (Armijo) condition
//
//	f(x + t d) <= f(x) + c₁ t ∇f(x)ᵀd,  c₁ = 10⁻⁴
//
// holds (a NaN value fails it). With Settings.ExpandSteps, a
// steepest-descent step whose unit step is accepted at once is doubled
// while the Armijo condition holds and f keeps decreasing, because no
// curvature information sizes it yet.
// When backtracking fails with a non-empty memory the memory is cleared and
// the iteration retried from steepest descent; when it fails along steepest
// descent, Minimize stops with LineSearchFailure (no decrease at rounding
// level: the point is stationary to working precision).
//
// # Termination
//
// Result.Status says why a run stopped, as in gonum/optimize:
//
//   - GradientThreshold: ‖∇f‖ <= GradientThreshold·scale, the norm chosen
//     by Settings.Norm (Euclidean or max-abs), scale = max(1, |f|) when
//     Settings.Relative, else 1.
//   - FunctionConvergence: |f_{k+1} − f_k| <= FunctionTol·max(1, |f|) on
//     FunctionIter consecutive iterations (f has stalled at rounding level).
//   - LineSearchFailure: see above.
//   - IterationLimit: MaxIter iterations done.
//
// GradientThreshold and FunctionConvergence count as converged
// (Status.Converged). Minimize is deterministic: no randomness and a fixed
// operation order. Each iteration costs O(m·n) besides the function and
// gradient evaluations; memory is O(m·n).
package optimize
