package carbon

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"ringvault/internal/testutil"
)

// carbonOracle runs graphite-carbon's own MetricLineReceiver.lineReceived
// (Debian's python3-carbon, with the real metricReceived: -1 → now, NaN
// filter) on each hex-encoded line and prints what reached the cache.
const carbonOracle = `
import sys, struct
from carbon import protocols
now = float(sys.argv[1])
protocols.time.time = lambda: now
got = []
protocols.events.metricReceived = lambda m, dp: got.append((m, dp))
class R(protocols.MetricLineReceiver):
    def __init__(self): pass
    peerName = "test"
r = R()
for h in sys.stdin.read().split():
    got.clear()
    try:
        r.lineReceived(bytes.fromhex(h))
    except Exception:
        pass  # carbon drops the connection (e.g. UnicodeDecodeError)
    if got:
        m, (ts, v) = got[0]
        print("ok", m.encode().hex(), int(ts), struct.pack(">d", v).hex())
    else:
        print("none")
`

// TestParseLineAgainstCarbon compares ParseLine with carbon-cache's own
// code on hand-picked and random lines. It needs graphite-carbon
// (apt-get install graphite-carbon; bench/serve.sh installs it) and is
// skipped without it, or failing under RINGVAULT_REQUIRE_ORACLES.
func TestParseLineAgainstCarbon(t *testing.T) {
	py := testutil.Python(t, "carbon.protocols") // graphite-carbon
	lines := []string{"a.b 1 2", "a.b nan 2", "a 1_0 -1", "a 1 -1.5", "a 1 -0.9", "x\xff 1 2", "a.b 1", " a\t1\x1c2 ",
		"a 1e400 5", "a -inf 5", "a 0x1 5", "a 1 1e18", "a\u00a01\u30002", "a 1 2 3", "", "caf\u00e9 .5 7.9", "a 1__0 1",
		"a infinity 1", "a -nan 1", "a 1 nan", "a 1 inf"}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", ".", " ", "\t", "1", "0", "-", "+", "e", "_", "n", "a", "i", "f", "\x1f", "\u00a0", "\xff", "x", "9", "E", "."}
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(14) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		lines = append(lines, b.String())
	}
	var in strings.Builder
	for _, l := range lines {
		in.WriteString(hex.EncodeToString([]byte(l)) + "x\n") // "x" keeps empty lines visible
	}
	cmd := exec.Command(py, "-c", strings.Replace(carbonOracle, "bytes.fromhex(h)", "bytes.fromhex(h[:-1])", 1), fmt.Sprint(testNow))
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("carbon oracle: %v", err)
	}
	want := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(want) != len(lines) {
		t.Fatalf("oracle gave %d answers for %d lines", len(want), len(lines))
	}
	bad := 0
	for i, l := range lines {
		got := "none"
		if m, err := ParseLine([]byte(l), testNow); err == nil {
			got = fmt.Sprintf("ok %s %d %016x", hex.EncodeToString([]byte(m.Name)), m.Timestamp, math.Float64bits(m.Value))
		}
		if got != want[i] {
			bad++
			if bad <= 10 {
				t.Errorf("line %q: ringvault %s, carbon %s", l, got, want[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d lines differ from carbon", bad, len(lines))
	}
}
