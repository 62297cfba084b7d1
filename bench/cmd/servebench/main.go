// Command servebench measures carbon plaintext ingest over TCP into
// "ringvault serve" and into Python carbon-cache (Debian graphite-carbon)
// on the same input in one run: N metrics × P points sent as one stream
// of lines over loopback, every metric's points interleaved in time order
// as real senders do. It reports, for each server, the receive rate
// (points/s until the server has read the whole stream) and the persist
// rate (points/s until every point is in a whisper file), and the ratios.
// Run through bench/serve.sh.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	metrics := flag.Int("metrics", 2000, "distinct metrics")
	points := flag.Int("points", 100, "points per metric (60 s apart, ending now)")
	rv := flag.String("ringvault", "ringvault", "ringvault binary")
	carbon := flag.String("carbon", "/usr/bin/carbon-cache", "carbon-cache script (empty: skip)")
	py := flag.String("python", "/usr/bin/python3", "python with whisper, for checking carbon's files")
	check := flag.String("check", "bench/serve_check.py", "script that counts persisted points")
	flag.Parse()

	now := time.Now().Unix() / 60 * 60
	payload := makePayload(*metrics, *points, now)
	total := *metrics * *points
	fmt.Printf("input: %d metrics x %d points = %d points, %.1f MB of plaintext lines over TCP loopback\n",
		*metrics, *points, total, float64(len(payload))/1e6)

	rvRecv, rvPersist, err := runRingvault(*rv, payload, total)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ringvault:", err)
		os.Exit(1)
	}
	report("ringvault serve", total, rvRecv, rvPersist)
	if *carbon == "" {
		return
	}
	if _, err := os.Stat(*carbon); err != nil {
		fmt.Println("carbon-cache not installed (apt-get install graphite-carbon); no ratio")
		return
	}
	cRecv, cPersist, err := runCarbon(*carbon, *py, *check, payload, *metrics, total, now)
	if err != nil {
		fmt.Fprintln(os.Stderr, "carbon:", err)
		os.Exit(1)
	}
	report("carbon-cache 1.1.7", total, cRecv, cPersist)
	fmt.Printf("ratio (ringvault / carbon): receive %.1fx, persist %.1fx\n",
		cRecv.Seconds()/rvRecv.Seconds(), cPersist.Seconds()/rvPersist.Seconds())
}

func report(name string, total int, recv, persist time.Duration) {
	fmt.Printf("%-20s receive %9.0f points/s (%6.2f s)   persisted %9.0f points/s (%6.2f s)\n",
		name, float64(total)/recv.Seconds(), recv.Seconds(), float64(total)/persist.Seconds(), persist.Seconds())
}

func makePayload(metrics, points int, now int64) []byte {
	var b bytes.Buffer
	for p := range points {
		ts := now - int64(points-1-p)*60
		for m := range metrics {
			fmt.Fprintf(&b, "bench.host%03d.cpu%02d.value %d.%d %d\n", m/100, m%100, p, m%10, ts)
		}
	}
	return b.Bytes()
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitPort(addr string) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s did not open", addr)
}

// sendAll writes payload, half-closes the connection and waits for the
// server to close its side: both carbon (Twisted) and ringvault do so
// only after reading and handling every line before the end of stream,
// so the time measures the server's receive rate, not the kernel's
// socket buffers.
func sendAll(addr string, payload []byte) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	w := bufio.NewWriterSize(c, 1<<20)
	if _, err := w.Write(payload); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, c)
	return err
}

func promValue(url, name string) (float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			return strconv.ParseFloat(v, 64)
		}
	}
	return 0, fmt.Errorf("%s not in /metrics", name)
}

func runRingvault(bin string, payload []byte, total int) (recv, persist time.Duration, err error) {
	dir, _ := os.MkdirTemp("", "servebench-rv")
	defer os.RemoveAll(dir)
	schemas := filepath.Join(dir, "storage-schemas.conf")
	os.WriteFile(schemas, []byte("[default]\npattern = .*\nretentions = 60s:1d\n"), 0o644)
	tcp := "127.0.0.1:" + strconv.Itoa(freePort())
	httpAddr := "127.0.0.1:" + strconv.Itoa(freePort())
	cmd := exec.Command(bin, "serve", "--data-dir", filepath.Join(dir, "data"), "--schemas", schemas,
		"--carbon-addr", tcp, "--udp-addr", "", "--pickle-addr", "", "--http-addr", httpAddr, "--log-level", "warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	if err := waitPort(tcp); err != nil {
		return 0, 0, err
	}
	if err := waitPort(httpAddr); err != nil {
		return 0, 0, err
	}
	url := "http://" + httpAddr + "/metrics"
	t0 := time.Now()
	if err := sendAll(tcp, payload); err != nil {
		return 0, 0, err
	}
	for {
		v, err := promValue(url, "ringvault_store_points_received_total")
		if err != nil {
			return 0, 0, err
		}
		if int(v) >= total {
			recv = time.Since(t0)
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	for {
		v, err := promValue(url, "ringvault_store_points_persisted_total")
		if err != nil {
			return 0, 0, err
		}
		if int(v) >= total {
			return recv, time.Since(t0), nil
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func runCarbon(carbonBin, py, check string, payload []byte, metrics, total int, now int64) (recv, persist time.Duration, err error) {
	dir, _ := os.MkdirTemp("", "servebench-carbon")
	defer os.RemoveAll(dir)
	conf := filepath.Join(dir, "conf")
	os.MkdirAll(conf, 0o755)
	port := freePort()
	cfg := fmt.Sprintf(`[cache]
STORAGE_DIR = %[1]s/storage
LOCAL_DATA_DIR = %[1]s/storage/whisper
WHITELISTS_DIR = %[1]s/storage/lists
CONF_DIR = %[1]s/conf
LOG_DIR = %[1]s/log
PID_DIR = %[1]s
ENABLE_LOGROTATION = False
USER =
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = 1000000
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = %[2]d
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = %[3]d
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = %[4]d
LOG_LISTENER_CONN_SUCCESS = False
LOG_UPDATES = False
LOG_CREATES = False
`, dir, port, freePort(), freePort())
	os.WriteFile(filepath.Join(conf, "carbon.conf"), []byte(cfg), 0o644)
	os.WriteFile(filepath.Join(conf, "storage-schemas.conf"), []byte("[default]\npattern = .*\nretentions = 60s:1d\n"), 0o644)
	cmd := exec.Command(carbonBin, "--config="+filepath.Join(conf, "carbon.conf"), "--nodaemon", "start")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if err := waitPort(addr); err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	if err := sendAll(addr, payload); err != nil {
		return 0, 0, err
	}
	recv = time.Since(t0)
	for {
		out, err := exec.Command(py, check, filepath.Join(dir, "storage", "whisper"), strconv.Itoa(metrics),
			strconv.FormatInt(now, 10), strconv.Itoa(total/metrics)).Output()
		if err != nil {
			return 0, 0, fmt.Errorf("check: %v", err)
		}
		if strings.TrimSpace(string(out)) == "done" {
			return recv, time.Since(t0), nil
		}
		if time.Since(t0) > 10*time.Minute {
			return 0, 0, fmt.Errorf("carbon did not persist everything in 10 minutes: %s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
