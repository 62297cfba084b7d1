package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// ErrInvalidName marks a metric name that cannot become a whisper file.
var ErrInvalidName = errors.New("store: invalid metric name")

// Limits on names, from Linux: a path component is at most 255 bytes
// (NAME_MAX, including ".wsp") and a path at most 4095 (PATH_MAX - 1).
const (
	maxComponent = 255 - len(".wsp")
	maxName      = 4095 - 64 // leave room for the data directory
)

// ValidateName checks that name can be stored the way carbon lays files
// out (every dot a directory separator, ".wsp" appended) without escaping
// the data directory: valid UTF-8, no empty node (".." or a leading or
// trailing dot), no '/', no NUL or other control character, no tags (';'),
// each node at most 251 bytes. carbon itself checks none of this (a name
// with "/" or ".." nests or escapes, a NUL makes go-carbon retry forever).
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty", ErrInvalidName)
	}
	if len(name) > maxName {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrInvalidName, len(name), maxName)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("%w: %q is not UTF-8", ErrInvalidName, clip(name))
	}
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) {
			c := name[i]
			switch {
			case c == '.':
			case c < 0x20 || c == 0x7f:
				return fmt.Errorf("%w: %q holds control character 0x%02x", ErrInvalidName, clip(name), c)
			case c == '/' || c == '\\':
				return fmt.Errorf("%w: %q holds %q", ErrInvalidName, clip(name), c)
			case c == ';':
				return fmt.Errorf("%w: %q is a tagged series (tags are not supported)", ErrInvalidName, clip(name))
			default:
				continue
			}
		}
		if i == start {
			return fmt.Errorf("%w: %q has an empty node", ErrInvalidName, clip(name))
		}
		if i-start > maxComponent {
			return fmt.Errorf("%w: node %q is %d bytes, at most %d", ErrInvalidName, clip(name[start:i]), i-start, maxComponent)
		}
		start = i + 1
	}
	return nil
}

// Path returns the whisper file of a valid metric name under dir, as
// carbon's getFilesystemPath: dots become separators, ".wsp" appended.
func Path(dir, name string) string {
	return filepath.Join(dir, strings.ReplaceAll(name, ".", string(filepath.Separator))+".wsp")
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
