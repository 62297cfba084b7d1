package pinglog

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"ringvault/storage"
)

const twoProcT0 = 1_600_000_000

// TestTwoProcessWriter is the writer half of TestTwoProcess: it runs only
// when that test re-executes the test binary with PINGLOG_WRITER set.
func TestTwoProcessWriter(t *testing.T) {
	path := os.Getenv("PINGLOG_WRITER")
	if path == "" {
		t.Skip("writer half of TestTwoProcess; runs only as its child process")
	}
	n, _ := strconv.Atoi(os.Getenv("PINGLOG_WRITER_N"))
	f, err := storage.OpenRW(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open4(f, &Options4{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(0); i < int64(n); i++ {
		if err := l.Append(genRecord(twoProcT0 + i)); err != nil {
			t.Fatal(err)
		}
		if i%3 == 2 {
			if err := l.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestTwoProcess runs a writer in another process (this test binary,
// re-executed) while this process reads the same file as fast as it can:
// every read must be a contiguous, exact run of what the writer appends —
// never a torn block or wrong data — and the final read must end with
// the writer's last record.
func TestTwoProcess(t *testing.T) {
	if os.Getenv("PINGLOG_WRITER") != "" {
		t.Skip("in the child")
	}
	n := 200_000
	if testing.Short() {
		n = 50_000
	}
	path := filepath.Join(t.TempDir(), "shared.ping")
	f, err := storage.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create4(f, testHeader(8, 512, 64)); err != nil {
		t.Fatal(err)
	}
	f.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestTwoProcessWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PINGLOG_WRITER="+path, "PINGLOG_WRITER_N="+strconv.Itoa(n))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	rf, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	r, err := Open4(rf, &Options4{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	reads, retries, distinct, lastEnd := 0, 0, 0, int64(-1)
	check := func() int64 {
		if err := r.Refresh(); errors.Is(err, errStale) {
			retries++
			return lastEnd
		} else if err != nil {
			t.Fatal(err)
		}
		recs, err := r.Records()
		if errors.Is(err, errStale) {
			retries++
			return lastEnd
		}
		if err != nil {
			t.Fatal(err)
		}
		reads++
		_, b := checkWindow(t, recs, twoProcT0)
		// A read that meets the unfinished block mid-rewrite ends before
		// it: at most one block earlier than a previous read.
		if b < lastEnd-64 {
			t.Fatalf("read %d ends at %d, an earlier read ended at %d", reads, b, lastEnd)
		}
		if b != lastEnd {
			distinct++
		}
		return b
	}
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("writer process: %v", err)
			}
			running = false
		default:
			lastEnd = check()
		}
	}
	if end := check(); end != int64(n) {
		t.Fatalf("after the writer exited the log ends at %d, want %d", end, n)
	}
	t.Logf("%d concurrent reads (%d distinct states, %d retried after roll-over) of a %d-record writer", reads, distinct, retries, n)
}
