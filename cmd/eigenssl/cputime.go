package main

import "github.com/eigenssl/eigenssl/internal/cputime"

// cpuSeconds returns the user + system CPU time of this process so far
// (NaN when the system does not report it).
var cpuSeconds = cputime.Process
