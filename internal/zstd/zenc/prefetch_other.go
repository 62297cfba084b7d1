//go:build !amd64

package zenc

import "unsafe"

func prefetch3(a, b, c unsafe.Pointer) {}
