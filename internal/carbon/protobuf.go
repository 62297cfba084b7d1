package carbon

import (
	"fmt"
	"math"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// ParseProtobuf decodes one protobuf frame (the payload after the 4-byte
// length) as carbon's MetricProtobufReceiver does, appending its points to
// dst. The message is carbon.proto's Payload:
//
//	message Point   { uint32 timestamp = 1; double value = 2; }
//	message Metric  { string metric = 1; repeated Point points = 2; }
//	message Payload { repeated Metric metrics = 1; }
//
// Unknown fields are skipped, and so is a known field sent with another
// wire type, as protobuf parsers do; a later scalar overrides an earlier
// one. A frame that is not well-formed protobuf, or a metric name that is
// not UTF-8 (proto3 strings must be), fails the whole frame with
// ErrInvalidProtobuf, as carbon drops the payload on DecodeError. NaN
// values are dropped and counted in skipped; a timestamp of -1 cannot
// occur (the field is unsigned).
func ParseProtobuf(data []byte, now int64, dst []Metric) (out []Metric, skipped int, err error) {
	start := len(dst)
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return dst[:start], 0, pbErr("Payload", protowire.ParseError(n))
		}
		data = data[n:]
		if num == 1 && typ == protowire.BytesType {
			msg, n := protowire.ConsumeBytes(data)
			if n < 0 {
				return dst[:start], 0, pbErr("Payload.metrics", protowire.ParseError(n))
			}
			data = data[n:]
			var s int
			dst, s, err = parsePBMetric(msg, dst)
			if err != nil {
				return dst[:start], 0, err
			}
			skipped += s
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, data)
		if n < 0 {
			return dst[:start], 0, pbErr("Payload", protowire.ParseError(n))
		}
		data = data[n:]
	}
	return dst, skipped, nil
}

func pbErr(where string, err error) error {
	return fmt.Errorf("%w: %s: %v", ErrInvalidProtobuf, where, err)
}

// parsePBMetric decodes one Metric. Its name may come after its points on
// the wire, so points are collected first and named at the end.
func parsePBMetric(msg []byte, dst []Metric) ([]Metric, int, error) {
	first := len(dst)
	skipped := 0
	name := ""
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return dst, 0, pbErr("Metric", protowire.ParseError(n))
		}
		msg = msg[n:]
		switch {
		case num == 1 && typ == protowire.BytesType:
			b, n := protowire.ConsumeBytes(msg)
			if n < 0 {
				return dst, 0, pbErr("Metric.metric", protowire.ParseError(n))
			}
			if !utf8.Valid(b) {
				return dst, 0, pbErr("Metric.metric", fmt.Errorf("string field is not valid UTF-8"))
			}
			name = string(b)
			msg = msg[n:]
		case num == 2 && typ == protowire.BytesType:
			b, n := protowire.ConsumeBytes(msg)
			if n < 0 {
				return dst, 0, pbErr("Metric.points", protowire.ParseError(n))
			}
			msg = msg[n:]
			ts, v, err := parsePBPoint(b)
			if err != nil {
				return dst, 0, err
			}
			if v != v {
				skipped++
				continue
			}
			dst = append(dst, Metric{Timestamp: int64(ts), Value: v})
		default:
			n = protowire.ConsumeFieldValue(num, typ, msg)
			if n < 0 {
				return dst, 0, pbErr("Metric", protowire.ParseError(n))
			}
			msg = msg[n:]
		}
	}
	for i := first; i < len(dst); i++ {
		dst[i].Name = name
	}
	return dst, skipped, nil
}

func parsePBPoint(msg []byte) (ts uint32, v float64, err error) {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return 0, 0, pbErr("Point", protowire.ParseError(n))
		}
		msg = msg[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			x, n := protowire.ConsumeVarint(msg)
			if n < 0 {
				return 0, 0, pbErr("Point.timestamp", protowire.ParseError(n))
			}
			ts = uint32(x) // proto3 truncates a wider varint to the field's width
			msg = msg[n:]
		case num == 2 && typ == protowire.Fixed64Type:
			x, n := protowire.ConsumeFixed64(msg)
			if n < 0 {
				return 0, 0, pbErr("Point.value", protowire.ParseError(n))
			}
			v = math.Float64frombits(x)
			msg = msg[n:]
		default:
			n = protowire.ConsumeFieldValue(num, typ, msg)
			if n < 0 {
				return 0, 0, pbErr("Point", protowire.ParseError(n))
			}
			msg = msg[n:]
		}
	}
	return ts, v, nil
}

// AppendProtobuf encodes metrics as one carbon.proto Payload, one Metric
// per point, for clients and tests.
func AppendProtobuf(dst []byte, metrics []Metric) []byte {
	for _, m := range metrics {
		var p []byte
		p = protowire.AppendTag(p, 1, protowire.VarintType)
		p = protowire.AppendVarint(p, uint64(uint32(m.Timestamp)))
		p = protowire.AppendTag(p, 2, protowire.Fixed64Type)
		p = protowire.AppendFixed64(p, math.Float64bits(m.Value))
		var mm []byte
		mm = protowire.AppendTag(mm, 1, protowire.BytesType)
		mm = protowire.AppendString(mm, m.Name)
		mm = protowire.AppendTag(mm, 2, protowire.BytesType)
		mm = protowire.AppendBytes(mm, p)
		dst = protowire.AppendTag(dst, 1, protowire.BytesType)
		dst = protowire.AppendBytes(dst, mm)
	}
	return dst
}
