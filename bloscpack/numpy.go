package bloscpack

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ArrayMeta is the metadata bloscpack's numpy container writes
// (numpy_io._ndarray_meta) so that bloscpack.unpack_ndarray_from_file
// rebuilds the array: {"dtype": repr(dtype.str or dtype.descr), "shape":
// [...], "order": "C" or "F", "container": "numpy"}.
type ArrayMeta struct {
	// Dtype is numpy's type string without the repr quotes ("<f8", "|u1")
	// or, for structured arrays, the descr repr
	// ("[('t', '<u4'), ('v', '<f8')]").
	Dtype   string
	Shape   []int64
	Fortran bool // order "F"
}

// JSON returns the metadata as pack_ndarray_to_file stores it.
func (a ArrayMeta) JSON() []byte {
	o := &JSONObject{}
	dt := a.Dtype
	if !strings.HasPrefix(dt, "[") {
		dt = "'" + dt + "'"
	}
	shape := make([]any, len(a.Shape))
	for i, n := range a.Shape {
		shape[i] = JSONInt(strconv.FormatInt(n, 10))
	}
	order := "C"
	if a.Fortran {
		order = "F"
	}
	o.set("dtype", dt)
	o.set("shape", shape)
	o.set("order", order)
	o.set("container", "numpy")
	return EncodeJSON(nil, o)
}

// Itemsize is the size of one array element in bytes, from the dtype.
func (a ArrayMeta) Itemsize() (int, error) { return dtypeItemsize(a.Dtype) }

// Len is the number of elements (the product of the shape).
func (a ArrayMeta) Len() int64 {
	n := int64(1)
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

var (
	typestrRe = regexp.MustCompile(`^[<>|=]?([a-zA-Z])(\d+)$`)
	fieldRe   = regexp.MustCompile(`\('[^']*', '([^']+)'\)`)
)

func dtypeItemsize(dt string) (int, error) {
	if strings.HasPrefix(dt, "[") {
		fields := fieldRe.FindAllStringSubmatch(dt, -1)
		if len(fields) == 0 || strings.Count(dt, "(") != len(fields) {
			return 0, fmt.Errorf("%w: dtype %s: only flat structured dtypes are understood", ErrInvalidOptions, dt)
		}
		total := 0
		for _, f := range fields {
			n, err := dtypeItemsize(f[1])
			if err != nil {
				return 0, err
			}
			total += n
		}
		return total, nil
	}
	m := typestrRe.FindStringSubmatch(dt)
	if m == nil {
		return 0, fmt.Errorf("%w: dtype %q is not a numpy type string like <f8", ErrInvalidOptions, dt)
	}
	n, _ := strconv.Atoi(m[2])
	if m[1] == "U" {
		n *= 4
	}
	if n <= 0 {
		return 0, fmt.Errorf("%w: dtype %q has no size", ErrInvalidOptions, dt)
	}
	return n, nil
}

// ParseArrayMeta reads numpy container metadata; ok is false when the JSON
// is not bloscpack's numpy metadata.
func ParseArrayMeta(js []byte) (a ArrayMeta, ok bool) {
	v, err := DecodeJSON(js)
	if err != nil {
		return a, false
	}
	o, isObj := v.(*JSONObject)
	if !isObj {
		return a, false
	}
	if c, _ := o.Get("container"); c != "numpy" {
		return a, false
	}
	dt, _ := o.Get("dtype")
	s, isStr := dt.(string)
	if !isStr {
		return a, false
	}
	a.Dtype = strings.Trim(s, "'")
	shape, _ := o.Get("shape")
	list, _ := shape.([]any)
	for _, d := range list {
		n, isInt := d.(JSONInt)
		v, err := strconv.ParseInt(string(n), 10, 64)
		if !isInt || err != nil || v < 0 {
			return a, false
		}
		a.Shape = append(a.Shape, v)
	}
	order, _ := o.Get("order")
	a.Fortran = order == "F"
	return a, true
}

// Options returns o set up for an array (pack_ndarray_to_file): typesize
// = the item size, the numpy metadata, and a chunk size that must be a
// multiple of the item size (bloscpack's ChunkSizeTypeSizeMismatch).
func (a ArrayMeta) Options(o Options) (Options, error) {
	n, err := a.Itemsize()
	if err != nil {
		return o, err
	}
	if o.ChunkSize == 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.ChunkSize%int64(n) != 0 {
		return o, fmt.Errorf("%w: chunk_size: '%s' is not divisible bytypesize: '%d'", ErrInvalidOptions, PrettySize(o.ChunkSize), n)
	}
	o.Blosc.Typesize = n
	o.Metadata = a.JSON()
	return o, nil
}
