// Package errfmt holds the one message format of the Error types of every
// eigenssl package (graph.Error, data.Error, spectral.Error, ...). Each
// package keeps its own Error type and sentinels (so errors.As and
// errors.Is stay per package) and formats its messages with Format:
//
//	pkg: op: param = value: detail
//
// where ": param" is left out when param is empty, " = value" when value
// is nil, and a "pkg: " prefix of detail (a sentinel's own prefix) is
// dropped so the package is named once.
package errfmt

import (
	"fmt"
	"strings"
)

// Format returns the message "pkg: op: param = value: detail" of an error
// of package pkg, where detail is err.Error() without a leading "pkg: ".
// value is omitted when nil (or param empty); err may be nil.
func Format(pkg, op, param string, value any, err error) string {
	var b strings.Builder
	b.WriteString(pkg)
	b.WriteString(": ")
	b.WriteString(op)
	if param != "" {
		b.WriteString(": ")
		b.WriteString(param)
		if value != nil {
			fmt.Fprintf(&b, " = %v", value)
		}
	}
	if err != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(err.Error(), pkg+": "))
	}
	return b.String()
}
