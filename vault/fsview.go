package vault

import (
	"io/fs"
)

// vfs is the read-only io/fs view. Opened files pin the snapshot they
// were opened on until Close; the other calls run in a short View.
type vfs struct {
	db *DB
	tx *Tx // non-nil: bound to a transaction (Tx.FS)
}

// FS returns the vault as an fs.FS (also StatFS, ReadDirFS, ReadFileFS,
// ReadLinkFS). Each Open sees the last committed snapshot.
func (db *DB) FS() fs.FS { return &vfs{db: db} }

// FS returns an fs.FS view of this transaction (valid until it ends).
func (tx *Tx) FS() fs.FS { return &vfs{db: tx.db, tx: tx} }

func (v *vfs) do(fn func(tx *Tx) error) error {
	if v.tx != nil {
		return fn(v.tx)
	}
	return v.db.View(fn)
}

func (v *vfs) valid(op, name string) error {
	if !fs.ValidPath(name) {
		return pathErr(op, name, fs.ErrInvalid)
	}
	return nil
}

func (v *vfs) Open(name string) (fs.File, error) {
	if err := v.valid("open", name); err != nil {
		return nil, err
	}
	tx := v.tx
	own := false
	if tx == nil {
		var err error
		if tx, err = v.db.begin(false); err != nil {
			return nil, err
		}
		own = true
	}
	f, err := tx.Open(name)
	if err != nil {
		if own {
			tx.end()
		}
		return nil, err
	}
	f.ownTx = own
	return f, nil
}

func (v *vfs) Stat(name string) (fs.FileInfo, error) {
	if err := v.valid("stat", name); err != nil {
		return nil, err
	}
	var fi fs.FileInfo
	err := v.do(func(tx *Tx) (err error) { fi, err = tx.Stat(name); return })
	return fi, err
}

func (v *vfs) Lstat(name string) (fs.FileInfo, error) {
	if err := v.valid("lstat", name); err != nil {
		return nil, err
	}
	var fi fs.FileInfo
	err := v.do(func(tx *Tx) (err error) { fi, err = tx.Lstat(name); return })
	return fi, err
}

func (v *vfs) ReadLink(name string) (string, error) {
	if err := v.valid("readlink", name); err != nil {
		return "", err
	}
	var t string
	err := v.do(func(tx *Tx) (err error) { t, err = tx.Readlink(name); return })
	return t, err
}

func (v *vfs) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := v.valid("readdir", name); err != nil {
		return nil, err
	}
	var d []fs.DirEntry
	err := v.do(func(tx *Tx) (err error) { d, err = tx.ReadDir(name); return })
	return d, err
}

func (v *vfs) ReadFile(name string) ([]byte, error) {
	if err := v.valid("readfile", name); err != nil {
		return nil, err
	}
	var b []byte
	err := v.do(func(tx *Tx) (err error) { b, err = tx.ReadFile(name); return })
	return b, err
}
