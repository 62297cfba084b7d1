package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ringvault/internal/testutil"
)

// TestCrashChild is the server process TestKill9LeavesReadableFiles
// kills; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("RINGVAULT_CRASH_CHILD")
	if dir == "" {
		t.Skip("helper process for TestKill9LeavesReadableFiles")
	}
	cfg := DefaultConfig()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.CarbonAddr, cfg.UDPAddr, cfg.PickleAddr, cfg.HTTPAddr = "127.0.0.1:0", "", "", ""
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "addr.tmp"), []byte(s.CarbonAddr.String()), 0o644)
	os.Rename(filepath.Join(dir, "addr.tmp"), filepath.Join(dir, "addr"))
	select {} // until killed
}

// TestKill9LeavesReadableFiles kills a real server process with SIGKILL
// while it creates and writes whisper files, then checks with python
// whisper that every file it left is readable: cached points are lost
// (documented), files are never torn or half-created.
func TestKill9LeavesReadableFiles(t *testing.T) {
	py := testutil.Python(t, "whisper")
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), "RINGVAULT_CRASH_CHILD="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var addr []byte
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var err error
		if addr, err = os.ReadFile(filepath.Join(dir, "addr")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("child server did not start")
		}
	}
	c, err := net.Dial("tcp", string(addr))
	if err != nil {
		t.Fatal(err)
	}
	go func() { // send until the connection dies with the server
		var b strings.Builder
		for round := 0; ; round++ {
			b.Reset()
			for m := range 1000 {
				fmt.Fprintf(&b, "crash.m%d.v %d -1\n", m, round)
			}
			if _, err := c.Write([]byte(b.String())); err != nil {
				return
			}
		}
	}()
	// Kill once a good part of the files exist, while others are being
	// created and written.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if ents, _ := os.ReadDir(filepath.Join(dir, "data", "crash")); len(ents) >= 300 {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	c.Close()

	out, err := exec.Command(py, "-c", `
import os, sys, whisper
n = bad = 0
for root, dirs, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(root, f)
        if f.startswith("."):
            continue  # whisper create's temporary file, never linked
        n += 1
        try:
            whisper.info(p)
            whisper.fetch(p, 0)
        except Exception as e:
            bad += 1
            print("BAD", p, e)
print("files", n, "bad", bad)
`, filepath.Join(dir, "data")).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), " bad 0") || strings.Contains(string(out), "files 0 ") {
		t.Errorf("after SIGKILL: %s", out)
	}
	t.Logf("after SIGKILL: %s", strings.TrimSpace(string(out)))
}
