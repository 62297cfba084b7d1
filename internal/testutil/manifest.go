package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// SharedManifest decodes the MANIFEST.json of the shared test-data set sub
// ("whisper", "bloscpack", "ping") into v and returns the set's folder.
// Like Shared, it skips — or fails under RINGVAULT_REQUIRE_ORACLES — when the
// shared data is absent.
func SharedManifest(t testing.TB, sub string, v any) string {
	t.Helper()
	dir := Shared(t, sub)
	ReadJSON(t, filepath.Join(dir, "MANIFEST.json"), v)
	return dir
}

// ReadJSON decodes the JSON file at path into v, failing the test with the
// path on any error.
func ReadJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// SHA256Hex is the lower-case hex sha256 of b, as the manifests record it.
func SHA256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
