package pinglog

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"ringvault/internal/testutil"
	"ringvault/storage"
)

func addSharedSeeds(f *testing.F, version int) {
	dir := testutil.Shared(f, "ping")
	names, _ := filepath.Glob(filepath.Join(dir, "*.ping"))
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 4 && int(data[4]) == version {
			f.Add(data)
		}
	}
}

// FuzzDecodeV2: any bytes give records or an error, never a panic, and
// what decodes re-encodes to the same bytes.
func FuzzDecodeV2(f *testing.F) {
	addSharedSeeds(f, 2)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeV2(data)
		if err != nil {
			return
		}
		again, err := AppendV2(nil, v.Format, v.Records)
		if err != nil || string(again) != string(data) {
			t.Fatalf("round trip differs: %v", err)
		}
	})
}

// FuzzOpenV3: any bytes open with an error or give a log whose every read
// (records, each record, search, read_records, slots) succeeds.
func FuzzOpenV3(f *testing.F) {
	addSharedSeeds(f, 3)
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Open3(storage.NewMemFile(data), &Options3{ReadOnly: true})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrVersion) {
				t.Fatalf("error %v is neither ErrCorrupt nor ErrVersion", err)
			}
			return
		}
		recs, err := l.Records()
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			if r, err := l.Record(i); err != nil || r != recs[i] {
				t.Fatalf("Record(%d) = %v, %v; want %v", i, r, err, recs[i])
			}
		}
		if _, err := l.Slots(); err != nil {
			t.Fatal(err)
		}
		if len(recs) > 0 {
			if _, err := l.ReadRecords(recs[0].Time, recs[len(recs)-1].Time); err != nil {
				t.Fatal(err)
			}
			if _, err := l.Search(recs[len(recs)/2].Time); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzOpenV4: any bytes open with an error or give a log whose records
// and scans read without panicking. Seeds are real version-4 logs.
func FuzzOpenV4(f *testing.F) {
	for _, n := range []int64{0, 1, 70, 300} {
		mf := memFile(nil)
		l, err := Create4(mf, testHeader(3, 512, 64))
		if err != nil {
			f.Fatal(err)
		}
		for i := int64(0); i < n; i++ {
			_ = l.Append(genRecord(1000 + i))
		}
		_ = l.Close()
		f.Add(mf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Open4(storage.NewMemFile(data), &Options4{ReadOnly: true})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrVersion) {
				t.Fatalf("error %v is neither ErrCorrupt nor ErrVersion", err)
			}
			return
		}
		recs, err := l.Records()
		if err != nil {
			return
		}
		if len(recs) > 0 {
			_, _, _ = l.Find(recs[len(recs)/2].Time)
		}
	})
}

// FuzzBlock4 gets past the CRC: it wraps fuzzer bytes as a block payload
// with a valid checksum, so the loss list and tscodec decoding see
// arbitrary input.
func FuzzBlock4(f *testing.F) {
	h := testHeader(3, 4096, 4096)
	var c blockCodec
	for _, n := range []int64{1, 2, 50, 400} {
		var recs []Record4
		for i := int64(0); i < n; i++ {
			recs = append(recs, genRecord(7+i*3))
		}
		img := c.encode(binary.LittleEndian, 1, recs, true)
		f.Add(append([]byte{}, img[v4BlockHead:]...), uint32(n), uint32(0))
	}
	f.Fuzz(func(t *testing.T, payload []byte, count, lost uint32) {
		if len(payload) > 4000 {
			return
		}
		img := make([]byte, v4BlockHead, v4BlockHead+len(payload))
		img = append(img, payload...)
		copy(img, v4BlockMagic)
		o := binary.LittleEndian
		o.PutUint64(img[8:], 1)
		o.PutUint64(img[24:], 1<<40)
		o.PutUint32(img[32:], count)
		o.PutUint32(img[36:], lost)
		o.PutUint32(img[40:], uint32(len(payload)))
		o.PutUint32(img[4:], crc32.Checksum(img[8:], castagnoli))
		bi, ok := parseBlock(h, 0, img)
		if !ok {
			return
		}
		recs, err := c.decode(bi, img, nil)
		if err == nil && len(recs) != int(bi.Count) {
			t.Fatalf("%d records from a block of %d", len(recs), bi.Count)
		}
	})
}
