package errfmt

import (
	"errors"
	"fmt"
)

func ExampleFormat() {
	errShape := errors.New("graph: dimension mismatch")
	fmt.Println(Format("graph", "knn", "k", 0, errShape))
	fmt.Println(Format("data", "readmatrix", "", nil, fmt.Errorf("x.csv:3: %w", errors.New("ragged row"))))
	fmt.Println(Format("eval", "evaluate", "Split", nil, errors.New("eval: bad parameter")))
	// Output:
	// graph: knn: k = 0: dimension mismatch
	// data: readmatrix: x.csv:3: ragged row
	// eval: evaluate: Split: bad parameter
}
