package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"ringvault/internal/server"
)

func init() {
	Register(&Tool{Name: "serve", Summary: "carbon-compatible metrics server: carbon ingest, whisper files, graphite-web API", Run: runServe})
}

const serveUsage = `Usage: ringvault serve [OPTIONS]

Runs a carbon-compatible metrics store: receives carbon plaintext (TCP and
UDP), pickle and protobuf, keeps one whisper file per metric under the data
directory (laid out as carbon does: dots become directories), and serves
graphite-web's HTTP API (/render, /metrics/find, /metrics/expand,
/metrics/index.json, /version, /functions and a browser page at /), plus
Prometheus metrics at /metrics and /healthz.

With no options: data under ./data, plaintext on :2003 (TCP and UDP),
pickle on :2004, HTTP on :8080, protobuf off. An empty address ("") turns
a listener off. Options given on the command line override the --config
file, which overrides the defaults. SIGINT or SIGTERM stops accepting and
writes every cached point to disk before exiting; SIGHUP rereads the
--schemas and --aggregation files (for metrics created afterwards).

Options:
`

// serveFlags binds every option to cfg; the flag names are the TOML keys.
func serveFlags(cfg *server.Config, configPath *string) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(configPath, "config", "", "read options from this TOML `file` (keys are the option names, e.g. data-dir = \"/var/lib/ringvault\")")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "store whisper files under this `dir`")
	fs.StringVar(&cfg.CarbonAddr, "carbon-addr", cfg.CarbonAddr, "carbon plaintext over TCP on this `addr`")
	fs.StringVar(&cfg.UDPAddr, "udp-addr", cfg.UDPAddr, "carbon plaintext over UDP on this `addr`")
	fs.StringVar(&cfg.PickleAddr, "pickle-addr", cfg.PickleAddr, "carbon pickle over TCP on this `addr`")
	fs.StringVar(&cfg.ProtobufAddr, "protobuf-addr", cfg.ProtobufAddr, "carbon protobuf over TCP on this `addr` (off by default, as in carbon)")
	fs.StringVar(&cfg.HTTPAddr, "http-addr", cfg.HTTPAddr, "graphite API, /metrics and /healthz on this `addr`")
	fs.StringVar(&cfg.Schemas, "schemas", cfg.Schemas, "carbon storage-schemas.conf `file` (default: 60s points for 7 days, carbon's built-in)")
	fs.StringVar(&cfg.Aggregation, "aggregation", cfg.Aggregation, "carbon storage-aggregation.conf `file` (default: average, xFilesFactor 0.5)")
	fs.IntVar(&cfg.CacheMaxPoints, "cache-max-points", cfg.CacheMaxPoints, "bound the write-back cache to `n` points; when full, TCP senders wait and UDP points are dropped (carbon's MAX_CACHE_SIZE)")
	fs.IntVar(&cfg.MaxCreatesPerMinute, "max-creates-per-minute", cfg.MaxCreatesPerMinute, "create at most `n` whisper files a minute; points of metrics over the limit are dropped and counted, as carbon does (0 = unlimited)")
	fs.IntVar(&cfg.MaxUpdatesPerSecond, "max-updates-per-second", cfg.MaxUpdatesPerSecond, "write at most `n` whisper files a second; points wait in the cache (0 = unlimited)")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "`n` persister goroutines writing whisper files")
	fs.BoolVar(&cfg.Sparse, "sparse-create", cfg.Sparse, "create whisper files sparse (carbon's WHISPER_SPARSE_CREATE)")
	fs.BoolVar(&cfg.Fallocate, "fallocate-create", cfg.Fallocate, "reserve whisper files with fallocate (carbon's WHISPER_FALLOCATE_CREATE)")
	fs.BoolVar(&cfg.Lock, "lock-writes", cfg.Lock, "flock whisper files while writing (carbon's WHISPER_LOCK_WRITES)")
	fs.IntVar(&cfg.MaxFrameBytes, "max-frame-bytes", cfg.MaxFrameBytes, "close pickle/protobuf connections that announce a frame above `n` bytes (carbon: 1 MiB)")
	fs.IntVar(&cfg.MaxConnections, "max-connections", cfg.MaxConnections, "accept at most `n` open connections per carbon listener (0 = unlimited)")
	fs.DurationVar(&cfg.IdleTimeout.Duration, "idle-timeout", cfg.IdleTimeout.Duration, "close carbon connections idle for this `duration` (0 = never)")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "log `level`: debug, info, warn or error")
	fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "log `format`: text or json (one object per line)")
	fs.DurationVar(&cfg.ShutdownTimeout.Duration, "shutdown-timeout", cfg.ShutdownTimeout.Duration, "on SIGINT/SIGTERM, wait at most this `duration` for the cache to reach disk")
	return fs
}

func serveHelp(w io.Writer) {
	cfg := server.DefaultConfig()
	var path string
	fs := serveFlags(&cfg, &path)
	fs.SetOutput(w)
	fmt.Fprint(w, serveUsage)
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  --%s", f.Name)
		if name != "" {
			fmt.Fprintf(w, " %s", strings.ToUpper(name))
		}
		fmt.Fprintf(w, "\n      %s", usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(w, " (default %q)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	fmt.Fprint(w, "\nDocumentation: docs/serve.md (TOML file, Prometheus metrics, carbon compatibility).\n")
}

// parseServeArgs applies defaults, then the --config file, then the
// command line.
func parseServeArgs(args []string) (server.Config, error) {
	cfg := server.DefaultConfig()
	var path string
	// First pass: only to find --config.
	probe := cfg
	if err := serveFlags(&probe, &path).Parse(args); err != nil {
		return cfg, err
	}
	if path != "" {
		if err := server.LoadConfigFile(path, &cfg); err != nil {
			return cfg, err
		}
	}
	fs := serveFlags(&cfg, &path)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (serve takes only options)", fs.Arg(0))
	}
	return cfg, nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	o := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func runServe(env *Env, args []string) int {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			serveHelp(env.Stdout)
			return 0
		}
	}
	cfg, err := parseServeArgs(args)
	if err != nil {
		fmt.Fprintf(env.Stderr, "ringvault serve: %v\nRun 'ringvault serve --help' for the options.\n", err)
		return 2
	}
	log, err := newLogger(env.Stderr, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		fmt.Fprintf(env.Stderr, "ringvault serve: %v\n", err)
		return 2
	}
	cfg.Logger = log
	cfg.Now = env.Now
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.Start(ctx, cfg)
	if err != nil {
		fmt.Fprintf(env.Stderr, "ringvault serve: %v\n", err)
		return 1
	}
	fmt.Fprintln(env.Stdout, startupLine(cfg.DataDir, srv))
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for done := false; !done; {
		select {
		case <-hup:
			if err := srv.Reload(); err != nil {
				log.Error("reload failed; keeping the old schemas", "err", err)
			} else {
				log.Info("reloaded storage schemas and aggregation", "schemas", cfg.Schemas, "aggregation", cfg.Aggregation)
			}
		case <-ctx.Done():
			done = true
		}
	}
	stop()
	log.Info("shutting down: writing the cache to disk", "points", srv.Store().CacheSize())
	sctx, cancel := context.WithCancel(context.Background())
	if d := cfg.ShutdownTimeout.Duration; d > 0 {
		sctx, cancel = context.WithTimeout(context.Background(), d)
	}
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			fmt.Fprintf(env.Stderr, "ringvault serve: %v (raise --shutdown-timeout)\n", err)
		} else {
			fmt.Fprintf(env.Stderr, "ringvault serve: %v\n", err)
		}
		return 1
	}
	log.Info("stopped; cache written")
	return 0
}

// startupLine is the one line serve prints: where it stores and listens.
func startupLine(dir string, s *server.Server) string {
	var parts []string
	add := func(what string, a interface{ String() string }, ok bool) {
		if ok {
			parts = append(parts, what+" "+a.String())
		}
	}
	add("plaintext tcp", s.CarbonAddr, s.CarbonAddr != nil)
	add("plaintext udp", s.UDPAddr, s.UDPAddr != nil)
	add("pickle", s.PickleAddr, s.PickleAddr != nil)
	add("protobuf", s.ProtobufAddr, s.ProtobufAddr != nil)
	add("http", s.HTTPAddr, s.HTTPAddr != nil)
	return fmt.Sprintf("ringvault serve: storing whisper files in %s; listening on %s", dir, strings.Join(parts, ", "))
}
