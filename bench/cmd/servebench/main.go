// Command servebench measures carbon plaintext ingest over TCP into
// "ringvault serve" and into Python carbon-cache (Debian graphite-carbon)
// on the same input in one run: N metrics × P points sent as one stream
// of lines over loopback, every metric's points interleaved in time order
// as real senders do. It reports, for each server, the receive rate
// (points/s until the server has read the whole stream) and the persist
// rate (points/s until every point is in a whisper file), and the ratios.
// Before the timed stream one point per metric is sent and persisted, so
// the files exist and the timing is the steady state of a running server
// (file creation is a one-off; carbon and ringvault both zero-fill).
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

	"ringvault/internal/carbon"
)

func main() {
	metrics := flag.Int("metrics", 2000, "distinct metrics")
	points := flag.Int("points", 100, "points per metric (60 s apart, ending now)")
	protos := flag.String("protocols", "plaintext,pickle", "protocols to measure: plaintext, pickle")
	rv := flag.String("ringvault", "ringvault", "ringvault binary")
	carbonBin := flag.String("carbon", "/usr/bin/carbon-cache", "carbon-cache script (empty: skip)")
	py := flag.String("python", "/usr/bin/python3", "python with whisper, for checking carbon's files")
	check := flag.String("check", "bench/serve_check.py", "script that counts persisted points")
	flag.Parse()

	now := time.Now().Unix() / 60 * 60
	total := *metrics * *points
	haveCarbon := *carbonBin != ""
	if haveCarbon {
		if _, err := os.Stat(*carbonBin); err != nil {
			fmt.Println("carbon-cache not installed (apt-get install graphite-carbon); no ratio")
			haveCarbon = false
		}
	}
	for _, proto := range strings.Split(*protos, ",") {
		var payload []byte
		switch proto {
		case "plaintext":
			payload = makePayload(*metrics, *points, now)
		case "pickle":
			payload = makePicklePayload(*metrics, *points, now)
		default:
			fmt.Fprintln(os.Stderr, "unknown protocol", proto)
			os.Exit(2)
		}
		fmt.Printf("%s: %d metrics x %d points = %d points, %.1f MB over TCP loopback\n",
			proto, *metrics, *points, total, float64(len(payload))/1e6)
		warm := makePayload(*metrics, 1, now-int64(*points)*60)
		rvRecv, rvPersist, err := runRingvault(*rv, proto, payload, warm, *metrics, total)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ringvault:", err)
			os.Exit(1)
		}
		report("ringvault serve", total, rvRecv, rvPersist)
		if !haveCarbon {
			continue
		}
		cRecv, cPersist, err := runCarbon(*carbonBin, *py, *check, proto, payload, warm, *metrics, total, now)
		if err != nil {
			fmt.Fprintln(os.Stderr, "carbon:", err)
			os.Exit(1)
		}
		report("carbon-cache 1.1.7", total, cRecv, cPersist)
		fmt.Printf("%s ratio (ringvault / carbon): receive %.1fx, persist %.1fx\n",
			proto, cRecv.Seconds()/rvRecv.Seconds(), cPersist.Seconds()/rvPersist.Seconds())
	}
}

func report(name string, total int, recv, persist time.Duration) {
	fmt.Printf("  %-20s receive %9.0f points/s (%6.2f s)   persisted %9.0f points/s (%6.2f s)\n",
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

// makePicklePayload is the same points as protocol-2 pickle frames of
// 500 points, as carbon relays send them.
func makePicklePayload(metrics, points int, now int64) []byte {
	var out []byte
	var batch []carbon.Metric
	flush := func() {
		out = carbon.AppendFrame(out, carbon.AppendPickle(nil, batch))
		batch = batch[:0]
	}
	for p := range points {
		ts := now - int64(points-1-p)*60
		for m := range metrics {
			batch = append(batch, carbon.Metric{Name: fmt.Sprintf("bench.host%03d.cpu%02d.value", m/100, m%100), Timestamp: ts, Value: float64(p) + float64(m%10)/10})
			if len(batch) == 500 {
				flush()
			}
		}
	}
	if len(batch) > 0 {
		flush()
	}
	return out
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

func runRingvault(bin, proto string, payload, warm []byte, warmN, total int) (recv, persist time.Duration, err error) {
	dir, _ := os.MkdirTemp("", "servebench-rv")
	defer os.RemoveAll(dir)
	schemas := filepath.Join(dir, "storage-schemas.conf")
	os.WriteFile(schemas, []byte("[default]\npattern = .*\nretentions = 60s:1d\n"), 0o644)
	plain := "127.0.0.1:" + strconv.Itoa(freePort())
	pickle := "127.0.0.1:" + strconv.Itoa(freePort())
	httpAddr := "127.0.0.1:" + strconv.Itoa(freePort())
	cmd := exec.Command(bin, "serve", "--data-dir", filepath.Join(dir, "data"), "--schemas", schemas,
		"--carbon-addr", plain, "--udp-addr", "", "--pickle-addr", pickle, "--http-addr", httpAddr, "--log-level", "warn")
	tcp := plain
	if proto == "pickle" {
		tcp = pickle
	}
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
	if err := sendAll(plain, warm); err != nil {
		return 0, 0, err
	}
	for {
		v, err := promValue(url, "ringvault_store_points_persisted_total")
		if err != nil {
			return 0, 0, err
		}
		if int(v) >= warmN {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	t0 := time.Now()
	if err := sendAll(tcp, payload); err != nil {
		return 0, 0, err
	}
	for {
		v, err := promValue(url, "ringvault_store_points_received_total")
		if err != nil {
			return 0, 0, err
		}
		if int(v) >= total+warmN {
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
		if int(v) >= total+warmN {
			return recv, time.Since(t0), nil
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func runCarbon(carbonBin, py, check, proto string, payload, warm []byte, metrics, total int, now int64) (recv, persist time.Duration, err error) {
	dir, _ := os.MkdirTemp("", "servebench-carbon")
	defer os.RemoveAll(dir)
	conf := filepath.Join(dir, "conf")
	os.MkdirAll(conf, 0o755)
	port, picklePort := freePort(), freePort()
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
`, dir, port, picklePort, freePort())
	os.WriteFile(filepath.Join(conf, "carbon.conf"), []byte(cfg), 0o644)
	os.WriteFile(filepath.Join(conf, "storage-schemas.conf"), []byte("[default]\npattern = .*\nretentions = 60s:1d\n"), 0o644)
	cmd := exec.Command(carbonBin, "--config="+filepath.Join(conf, "carbon.conf"), "--nodaemon", "start")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if proto == "pickle" {
		addr = "127.0.0.1:" + strconv.Itoa(picklePort)
	}
	if err := waitPort(addr); err != nil {
		return 0, 0, err
	}
	plainAddr := "127.0.0.1:" + strconv.Itoa(port)
	if err := sendAll(plainAddr, warm); err != nil {
		return 0, 0, err
	}
	whisperDir := filepath.Join(dir, "storage", "whisper")
	for {
		out, err := exec.Command(py, check, whisperDir, strconv.Itoa(metrics), strconv.FormatInt(now, 10), "1", "exist").Output()
		if err != nil {
			return 0, 0, fmt.Errorf("check: %v", err)
		}
		if strings.TrimSpace(string(out)) == "done" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t0 := time.Now()
	if err := sendAll(addr, payload); err != nil {
		return 0, 0, err
	}
	recv = time.Since(t0)
	for {
		out, err := exec.Command(py, check, whisperDir, strconv.Itoa(metrics),
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
