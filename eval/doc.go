// Package eval measures representations: linear probes and k-nearest
// neighbours on frozen features, train/test protocols with confidence
// intervals over seeds, and spectral descriptions of representations and
// relation graphs.
//
// Probes follow one shape (Classifier): a struct of hyper-parameters whose
// zero value means documented defaults, Fit(x, y) and Predict(x).
//
//   - RidgeProbe: closed-form ridge regression onto one-hot targets.
//   - LogisticProbe: multinomial logistic regression, L2, standardised
//     features, L-BFGS.
//   - KNNClassifier: exact k-nearest-neighbour vote (Euclidean or cosine).
//
// Evaluate runs a Protocol (stratified split or fixed training indices,
// optionally m labels per class for the low-data regime) over several seeds
// and returns the mean accuracy with a Student-t confidence interval.
// A negative label (Unlabelled, -1) marks a row without a class, as in
// graph.Labels and the closed forms: Evaluate neither trains nor tests on
// it, and a classifier's Fit refuses it.
//
// Representation metrics: SingularValues, Rank, EffectiveRank
// (exp of the entropy of the normalised singular values), PrincipalAngles,
// LinearCKA and GraphAlignment (how well a relation graph G matches labels).
// None of them forms an N x N matrix.
package eval
