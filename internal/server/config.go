package server

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is everything "ringvault serve" can be told, from flags or a
// TOML file (keys are the flag names). An empty address disables that
// listener.
type Config struct {
	DataDir      string `toml:"data-dir"`
	CarbonAddr   string `toml:"carbon-addr"`   // plaintext over TCP
	UDPAddr      string `toml:"udp-addr"`      // plaintext over UDP
	PickleAddr   string `toml:"pickle-addr"`   // pickle over TCP
	ProtobufAddr string `toml:"protobuf-addr"` // protobuf over TCP (off by default, as in carbon)
	HTTPAddr     string `toml:"http-addr"`     // graphite API, /metrics, /healthz

	Schemas     string `toml:"schemas"`     // storage-schemas.conf ("" = carbon's default)
	Aggregation string `toml:"aggregation"` // storage-aggregation.conf ("" = whisper's default)

	CacheMaxPoints      int  `toml:"cache-max-points"`
	MaxCreatesPerMinute int  `toml:"max-creates-per-minute"`
	MaxUpdatesPerSecond int  `toml:"max-updates-per-second"`
	Workers             int  `toml:"workers"`
	Sparse              bool `toml:"sparse-create"`
	Fallocate           bool `toml:"fallocate-create"`
	Lock                bool `toml:"lock-writes"`

	MaxFrameBytes  int      `toml:"max-frame-bytes"`
	MaxConnections int      `toml:"max-connections"`
	IdleTimeout    Duration `toml:"idle-timeout"`

	// ShutdownTimeout bounds how long SIGINT/SIGTERM waits for the cache
	// to reach disk.
	ShutdownTimeout Duration `toml:"shutdown-timeout"`

	LogLevel  string `toml:"log-level"`
	LogFormat string `toml:"log-format"`

	// Logger and Now are for callers (tests), not the file.
	Logger *slog.Logger     `toml:"-"`
	Now    func() time.Time `toml:"-"`
}

// Duration is a time.Duration written as "30s" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration ("90s", "2m").
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as Go prints it.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// DefaultConfig is "ringvault serve" with no arguments: data under
// ./data, carbon plaintext on 2003 (TCP and UDP), pickle on 2004, HTTP
// on 8080, protobuf off.
func DefaultConfig() Config {
	return Config{
		DataDir:             "data",
		CarbonAddr:          ":2003",
		UDPAddr:             ":2003",
		PickleAddr:          ":2004",
		HTTPAddr:            ":8080",
		CacheMaxPoints:      10_000_000,
		Workers:             4,
		MaxFrameBytes:       1 << 20,
		MaxConnections:      10000,
		IdleTimeout:         Duration{2 * time.Minute},
		ShutdownTimeout:     Duration{5 * time.Minute},
		LogLevel:            "info",
		LogFormat:           "text",
		MaxCreatesPerMinute: 0,
		MaxUpdatesPerSecond: 0,
	}
}

// LoadConfigFile overlays the TOML file at path on c. Unknown keys are
// an error naming them, so a typo does not pass silently.
func LoadConfigFile(path string, c *Config) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	md, err := toml.Decode(string(data), c)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return fmt.Errorf("config %s: unknown key %q (see ringvault serve --help for the names)", path, und[0].String())
	}
	return nil
}
