package pinglog

import (
	"strings"
	"testing"

	"ringvault/storage"
)

func TestCheck4(t *testing.T) {
	f := memFile(nil)
	l, _ := Create4(f, testHeader(4, 512, 40))
	for i := int64(0); i < 100; i++ {
		_ = l.Append(genRecord(i))
	}
	_ = l.Close()
	r, _ := Open4(f, &Options4{ReadOnly: true})
	rep, err := r.Check()
	if err != nil || !rep.OK() || rep.Records != 100 || rep.Blocks != 3 || rep.Empty != 1 || len(rep.Warnings) != 0 {
		t.Fatalf("clean log: %+v, %v", rep, err)
	}
	// Damage the newest (unfinished) block as a torn write would: Check
	// reports the slot as torn, a warning, and the sealed blocks' records.
	img := append([]byte{}, f.Bytes()...)
	img[v4HeaderLen+2*512+v4BlockHead+3] ^= 0xff
	r, err = Open4(storage.NewMemFile(img), &Options4{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	rep, err = r.Check()
	if err != nil || !rep.OK() || len(rep.Torn) != 1 || rep.Torn[0] != 2 || rep.Records != 80 ||
		!strings.Contains(strings.Join(rep.Warnings, "\n"), "torn") {
		t.Fatalf("torn image report %+v, %v", rep, err)
	}
}

func TestCheck3(t *testing.T) {
	for _, sf := range loadShared(t) {
		if sf.version != 3 {
			continue
		}
		l, err := Open3(storage.NewMemFile(sf.data), nil)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := l.Check()
		if err != nil || !rep.OK() {
			t.Fatalf("%s: %+v %v", sf.name, rep, err)
		}
		w := strings.Join(rep.Warnings, "\n")
		if strings.Contains(sf.name, "out_of_order") != strings.Contains(w, "backwards") {
			t.Fatalf("%s: warnings %q", sf.name, w)
		}
		if strings.Contains(sf.name, "shorter") != strings.Contains(w, "stale") {
			t.Fatalf("%s: warnings %q", sf.name, w)
		}
	}
}
