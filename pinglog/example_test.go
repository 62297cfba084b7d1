package pinglog_test

import (
	"fmt"

	"ringvault/pinglog"
	"ringvault/storage"
)

// A version-4 log: create, append a minute of 1 Hz probes (one lost),
// flush, and find a record by time.
func Example() {
	f := storage.NewMemFile(nil)
	l, err := pinglog.Create4(f, pinglog.Header4{
		ByteOrder: 'L', BlockSize: 4096, Capacity: 16, MaxPerBlock: 1024, Interval: 1,
		TimeUnit: pinglog.UnitSeconds, LatencyUnit: pinglog.UnitMilliseconds, Scale: 1,
		Created: 1_700_000_000, Source: "probe-1", Target: "192.0.2.7",
	})
	if err != nil {
		panic(err)
	}
	for i := int64(0); i < 60; i++ {
		r := pinglog.Record4{Time: 1_700_000_000 + i, Value: 0.350 + float64(i%5)/1000}
		if i == 30 {
			r = pinglog.Record4{Time: 1_700_000_000 + i, Lost: true, Timeout: true}
		}
		if err := l.Append(r); err != nil {
			panic(err)
		}
	}
	if err := l.Flush(); err != nil {
		panic(err)
	}
	r, ok, err := l.Find(1_700_000_030)
	fmt.Println(r, ok, err, l.Len())
	// Output: {1700000030 0 true true} true <nil> 60
}
