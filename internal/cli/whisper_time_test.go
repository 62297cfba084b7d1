package cli

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"ringvault/internal/testutil"
)

// TestStrftimeMatchesPython compares strftime and ctime (whisper-fetch and
// whisper-dump --pretty, -t) with python's time.strftime/time.ctime in the
// same time zone, for every C-locale conversion on assorted timestamps.
func TestStrftimeMatchesPython(t *testing.T) {
	py := testutil.Python(t)
	formats := []string{"%a %A %b %B %h %c", "%C %d %D %e %F %G %g", "%H %I %j %k %l %m %M", "%n%p %r %R %s %S %t",
		"%T %u %U %V %w %W %x %X", "%y %Y %z %Z %%", "plain", "%Y-%m-%d %H:%M:%S", "%q %", "100%"}
	stamps := []int64{0, 1, 86399, 951782400, 1700000000, 1704067199, 1704067200, 1735603200, 2147483647, 4102444800, 1609459200, 1230768000}
	var prog strings.Builder
	prog.WriteString("import time\n")
	for _, ts := range stamps {
		fmt.Fprintf(&prog, "print(repr(time.ctime(%d)))\n", ts)
		for _, f := range formats {
			fmt.Fprintf(&prog, "print(repr(time.strftime(%q, time.localtime(%d))))\n", f, ts)
		}
	}
	out, err := exec.Command(py, "-c", prog.String()).Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	i := 0
	for _, ts := range stamps {
		check := func(what, got string) {
			if want := lines[i]; "'"+strings.NewReplacer("\n", `\n`, "\t", `\t`).Replace(got)+"'" != want {
				t.Errorf("%d %s: got %q, python %s", ts, what, got, want)
			}
			i++
		}
		check("ctime", ctime(ts))
		for _, f := range formats {
			check(f, strftime(f, ts))
		}
	}
}
