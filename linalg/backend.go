package linalg

// Backend names the linear-algebra backend compiled in: "gonum" (pure Go, the
// default) or "openblas" (built with -tags openblas).
func Backend() string { return backendName }
