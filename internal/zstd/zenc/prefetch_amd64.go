package zenc

import "unsafe"

// prefetch3 asks the CPU to load the cache lines at a, b and c; it never
// faults.
//
//go:noescape
func prefetch3(a, b, c unsafe.Pointer)
