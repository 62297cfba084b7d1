// Package carbon parses carbon's ingest protocols — plaintext lines, pickle
// frames and protobuf frames — into metrics, exactly as carbon-cache
// (graphite-project/carbon lib/carbon/protocols.py, protobuf.py) accepts
// them. It knows nothing of sockets or storage: listeners in
// internal/server feed it bytes and hand the parsed points to the store.
//
// The rules carbon applies and this package reproduces:
//
//   - plaintext: "<path> <value> <timestamp>", split on any whitespace
//     (Python's str.split), both numbers parsed like Python's float(),
//     a timestamp whose integer part is -1 meaning "now", NaN values
//     dropped silently, anything else invalid (counted and logged by the
//     caller); lines longer than 16 KiB close the connection (Twisted's
//     LineOnlyReceiver.MAX_LENGTH).
//   - pickle: a 4-byte big-endian length, then a pickle of
//     [(path, (timestamp, value)), ...]; elements that do not destructure
//     or whose numbers do not convert are skipped. The unpickler admits
//     only lists, tuples, strings, bytes, numbers, booleans and None: any
//     opcode that could import or call code (GLOBAL, STACK_GLOBAL, REDUCE,
//     BUILD, INST, OBJ, NEWOBJ, PERSID, EXT*) rejects the whole frame, and
//     every length is checked against the frame before anything is
//     allocated.
//   - protobuf: the same framing around carbon.proto's
//     Payload{repeated Metric metrics = 1}, Metric{string metric = 1;
//     repeated Point points = 2}, Point{uint32 timestamp = 1; double value = 2}.
//
// The protocol description with examples is in docs/serve.md.
package carbon

import "errors"

// Metric is one received data point.
type Metric struct {
	// Name is the dotted metric path as received.
	Name string
	// Timestamp is in Unix seconds, truncated toward zero as whisper's
	// int() does; a received timestamp of -1 has been replaced by "now".
	Timestamp int64
	// Value is the sample; never NaN (carbon drops NaN values).
	Value float64
}

// Limits carbon applies by default.
const (
	// MaxLineLength is Twisted's LineOnlyReceiver.MAX_LENGTH: a longer
	// plaintext line makes carbon close the connection.
	MaxLineLength = 16384
	// MaxFrameLength is carbon's PICKLE_RECEIVER_MAX_LENGTH and the
	// protobuf receiver's MAX_LENGTH (2**20).
	MaxFrameLength = 1 << 20
)

// Errors a parser returns; each is wrapped with the detail.
var (
	// ErrInvalidLine marks a plaintext line carbon would log as
	// "invalid line received from client".
	ErrInvalidLine = errors.New("carbon: invalid line")
	// ErrNaN marks a point whose value is NaN; carbon drops it silently.
	ErrNaN = errors.New("carbon: NaN value dropped")
	// ErrInvalidPickle marks a pickle frame that cannot be decoded or that
	// uses an opcode outside the safe subset.
	ErrInvalidPickle = errors.New("carbon: invalid pickle")
	// ErrInvalidProtobuf marks a protobuf frame that is not a valid Payload.
	ErrInvalidProtobuf = errors.New("carbon: invalid protobuf")
	// ErrFrameTooLarge marks a length prefix above the configured maximum;
	// carbon closes the connection.
	ErrFrameTooLarge = errors.New("carbon: frame too large")
)
