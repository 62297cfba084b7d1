package cli

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"ringvault/storage"
)

func openRW(path string) (*storage.OSFile, error) { return storage.OpenRW(path) }

// blpkOutput is the output file of compress or decompress. It is written
// under a temporary name beside the destination and renamed over it when
// complete, so the destination is never seen half written and an
// existing one survives a failed run. With sync the data is flushed to
// disk before the rename and the folder after it (storage.ReplaceFile);
// without it, as bloscpack, nothing is flushed. A destination that is not
// a regular file (a device, a FIFO) or is a symbolic link is written in
// place, as bloscpack does.
type blpkOutput struct {
	*os.File
	path    string
	tmp     string // "" when written in place
	existed bool
	sync    bool
	done    bool // commit ran
}

// openBlpkOutput returns the destination of compress or decompress:
// stdout for "-" (file nil), else the writer of a new blpkOutput. The
// caller defers file.release.
func openBlpkOutput(out string, sync bool, stdout io.Writer) (io.Writer, *blpkOutput, error) {
	if out == "-" {
		return stdout, nil, nil
	}
	file, err := createBlpkOutput(out, sync)
	if err != nil {
		return nil, nil, err
	}
	return file.File, file, nil
}

// release ends a run whose output was not committed (a failed run) with
// abort(keepPartial); after commit, and for stdout (nil), it does nothing.
func (o *blpkOutput) release(keepPartial bool) {
	if o != nil && !o.done {
		o.abort(keepPartial)
	}
}

// createBlpkOutput opens the output for path.
func createBlpkOutput(path string, sync bool) (*blpkOutput, error) {
	st, err := os.Lstat(path)
	existed := err == nil
	if existed && !st.Mode().IsRegular() {
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		return &blpkOutput{File: f, path: path, existed: true, sync: sync}, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	perm := os.FileMode(0o666) // less the umask, as os.Create
	if existed {
		perm = st.Mode().Perm()
	}
	dir, base := filepath.Split(path)
	for range 100 {
		var rnd [6]byte
		rand.Read(rnd[:])
		tmp := filepath.Join(dir, "."+base+".blpk-"+hex.EncodeToString(rnd[:]))
		f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil { // e.g. a folder we may not create in: in place
			break
		}
		if existed {
			f.Chmod(perm) // the old file's mode, whatever the umask
		}
		return &blpkOutput{File: f, path: path, tmp: tmp, existed: existed, sync: sync}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &blpkOutput{File: f, path: path, existed: existed, sync: sync}, nil
}

// commit puts the complete output in place.
func (o *blpkOutput) commit() error {
	o.done = true
	if o.tmp == "" {
		if o.sync {
			if err := o.File.Sync(); err != nil {
				o.File.Close()
				return err
			}
		}
		return o.File.Close()
	}
	if err := o.File.Close(); err != nil {
		os.Remove(o.tmp)
		return err
	}
	var err error
	if o.sync {
		err = storage.ReplaceFile(o.tmp, o.path)
	} else {
		err = os.Rename(o.tmp, o.path)
	}
	if err != nil {
		os.Remove(o.tmp)
	}
	return err
}

// abort ends a failed run. With keepPartial, what was written stays at the
// destination if nothing was there before (bloscpack leaves the chunks
// decoded before a damaged one); otherwise the temporary goes and an
// existing destination is left untouched.
func (o *blpkOutput) abort(keepPartial bool) {
	o.File.Close()
	if o.tmp == "" {
		return
	}
	if keepPartial && !o.existed {
		if os.Rename(o.tmp, o.path) == nil {
			return
		}
	}
	os.Remove(o.tmp)
}
