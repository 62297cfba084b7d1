package zdec

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// libzstdInputs are inputs chosen to make libzstd (the zstd 1.5 command)
// use the features klauspost's encoder does not: RLE literals, treeless
// literals and repeat-mode tables across blocks, RLE-mode tables, more
// than 0x7F00 sequences in a block, window descriptors.
func libzstdInputs() map[string][]byte {
	rng := rand.New(rand.NewPCG(7, 7))
	m := map[string][]byte{}
	// Words of a small vocabulary with one kind of separator: many short
	// sequences, literals of one byte value.
	words := make([][]byte, 2000)
	for i := range words {
		words[i] = []byte(fmt.Sprintf("%c%c%c", 'a'+rng.IntN(26), 'a'+rng.IntN(26), 'a'+rng.IntN(26)))
	}
	var b bytes.Buffer
	for b.Len() < 160<<10 {
		b.Write(words[rng.IntN(len(words))])
		b.WriteByte('-')
	}
	m["words"] = b.Bytes()
	// English-like text over many blocks: repeat tables and treeless
	// literals.
	text := inputs()["text"]
	m["text"] = append(append([]byte{}, text...), bytes.ToUpper(text)...)
	m["zeros-and-noise"] = append(make([]byte, 200<<10), rnd(rng, 20000)...)
	return m
}

func rnd(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// libzstdArgs are the zstd command's options for each golden file.
var libzstdArgs = map[string][]string{
	"l1":       {"-1", "--no-check"},
	"l3-check": {"-3", "--check"},
	"l19":      {"-19", "--no-check"},
	"wlog17":   {"-5", "--zstd=wlog=17", "--no-check"},
}

// TestLibzstdFrames decodes frames the zstd command (libzstd 1.5) wrote,
// committed in testdata/libzstd (regenerate with -update), and compares
// with the input and with klauspost's decoder.
func TestLibzstdFrames(t *testing.T) {
	d := New()
	for name, in := range libzstdInputs() {
		for argName, args := range libzstdArgs {
			file := filepath.Join("testdata", "libzstd", name+"-"+argName+".zst")
			if *update {
				writeLibzstd(t, file, in, args)
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			ours, errOurs, theirs, errTheirs := decodeBoth(d, src, len(in))
			if errOurs != nil || !bytes.Equal(ours, in) {
				t.Fatalf("%s: %v, equal %v", file, errOurs, bytes.Equal(ours, in))
			}
			if errTheirs != nil || !bytes.Equal(theirs, in) {
				t.Fatalf("%s: klauspost: %v", file, errTheirs)
			}
		}
	}
}

func writeLibzstd(t *testing.T, file string, in []byte, args []string) {
	zstd, err := exec.LookPath("zstd")
	if err != nil {
		t.Fatalf("-update needs the zstd command: %v", err)
	}
	cmd := exec.Command(zstd, append([]string{"-q", "-c"}, args...)...)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
