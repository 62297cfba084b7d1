package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Entry types (EntryRecord byte 1).
const (
	typeFile    = 1
	typeDir     = 2
	typeSymlink = 3
	typeLink    = 4 // archive7 entry link: points at another entry by id
)

// Entry flags.
const (
	flagDeleted = 1 << 0 // archive7 soft delete
	flagInline  = 1 << 1 // content stored in the record
)

// Catalog key prefixes.
const (
	keyEntry  = 0x01 // 0x01 | id(16)                 -> entry record
	keyDirent = 0x02 // 0x02 | parent(16) | name      -> child id(16) | type(1)
)

const (
	entryFixed  = 92
	maxName     = 255
	maxOwner    = 32
	maxSymlink  = 1024
	entryVerion = 1
)

// entry is a catalog EntryRecord.
type entry struct {
	typ      byte
	flags    uint16
	mode     uint32 // permission bits (07777)
	uid, gid uint32
	nlink    uint32
	id       [16]byte
	parent   [16]byte
	owner    [16]byte
	created  int64 // unix ns
	modified int64
	changed  int64
	user     string
	group    string
	name     string
	inline   []byte     // file content when flagInline
	desc     streamDesc // file stream otherwise
	target   string     // symlink target
	link     [16]byte   // typeLink target entry
}

// streamDesc is a 64-byte stream descriptor. With descInlineMap the
// depth-1 root map is not a block: its first inlinePtrs pointers follow
// the descriptor in the entry record (small files need no map block).
type streamDesc struct {
	root   Pointer
	length uint64
	depth  byte
	flags  uint16
	id     uint64
	mtxid  uint64
	ptrs   [inlinePtrs]Pointer // with descInlineMap
}

const (
	descInlineMap = 1 << 0
	inlinePtrs    = 8
)

func (d streamDesc) put(b []byte) {
	clear(b[:descSize])
	d.root.put(b)
	binary.BigEndian.PutUint64(b[32:], d.length)
	b[40] = d.depth
	binary.BigEndian.PutUint16(b[42:], d.flags)
	binary.BigEndian.PutUint64(b[48:], d.id)
	binary.BigEndian.PutUint64(b[56:], d.mtxid)
}

func getDesc(b []byte) streamDesc {
	return streamDesc{
		root:   getPointer(b),
		length: binary.BigEndian.Uint64(b[32:]),
		depth:  b[40],
		flags:  binary.BigEndian.Uint16(b[42:]),
		id:     binary.BigEndian.Uint64(b[48:]),
		mtxid:  binary.BigEndian.Uint64(b[56:]),
	}
}

func (e *entry) encode() []byte {
	b := make([]byte, entryFixed, entryFixed+64+len(e.name)+len(e.inline)+len(e.target))
	b[0], b[1] = entryVerion, e.typ
	binary.BigEndian.PutUint16(b[2:], e.flags)
	binary.BigEndian.PutUint32(b[4:], e.mode)
	binary.BigEndian.PutUint32(b[8:], e.uid)
	binary.BigEndian.PutUint32(b[12:], e.gid)
	binary.BigEndian.PutUint32(b[16:], e.nlink)
	copy(b[20:], e.id[:])
	copy(b[36:], e.parent[:])
	copy(b[52:], e.owner[:])
	binary.BigEndian.PutUint64(b[68:], uint64(e.created))
	binary.BigEndian.PutUint64(b[76:], uint64(e.modified))
	binary.BigEndian.PutUint64(b[84:], uint64(e.changed))
	for _, s := range []string{e.user, e.group, e.name} {
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	switch e.typ {
	case typeFile:
		if e.flags&flagInline != 0 {
			b = binary.BigEndian.AppendUint16(b, uint16(len(e.inline)))
			b = append(b, e.inline...)
		} else {
			var d [descSize]byte
			e.desc.put(d[:])
			b = append(b, d[:]...)
			if e.desc.flags&descInlineMap != 0 {
				for _, p := range e.desc.ptrs {
					b = append(b, make([]byte, ptrSize)...)
					p.put(b[len(b)-ptrSize:])
				}
			}
		}
	case typeSymlink:
		b = binary.BigEndian.AppendUint16(b, uint16(len(e.target)))
		b = append(b, e.target...)
	case typeLink:
		b = append(b, e.link[:]...)
	}
	return b
}

var errEntry = errors.New("malformed entry record")

func decodeEntry(b []byte) (*entry, error) {
	if len(b) < entryFixed {
		return nil, errEntry
	}
	if b[0] != entryVerion {
		return nil, fmt.Errorf("entry record version %d: %w", b[0], ErrVersion)
	}
	e := &entry{typ: b[1]}
	e.flags = binary.BigEndian.Uint16(b[2:])
	e.mode = binary.BigEndian.Uint32(b[4:])
	e.uid = binary.BigEndian.Uint32(b[8:])
	e.gid = binary.BigEndian.Uint32(b[12:])
	e.nlink = binary.BigEndian.Uint32(b[16:])
	copy(e.id[:], b[20:])
	copy(e.parent[:], b[36:])
	copy(e.owner[:], b[52:])
	e.created = int64(binary.BigEndian.Uint64(b[68:]))
	e.modified = int64(binary.BigEndian.Uint64(b[76:]))
	e.changed = int64(binary.BigEndian.Uint64(b[84:]))
	o := entryFixed
	var strs [3]string
	for i := range strs {
		if o >= len(b) || o+1+int(b[o]) > len(b) {
			return nil, errEntry
		}
		strs[i] = string(b[o+1 : o+1+int(b[o])])
		o += 1 + int(b[o])
	}
	e.user, e.group, e.name = strs[0], strs[1], strs[2]
	rest := b[o:]
	switch e.typ {
	case typeFile:
		if e.flags&flagInline != 0 {
			if len(rest) < 2 || len(rest) != 2+int(binary.BigEndian.Uint16(rest)) {
				return nil, errEntry
			}
			e.inline = append([]byte{}, rest[2:]...)
		} else {
			if len(rest) < descSize {
				return nil, errEntry
			}
			e.desc = getDesc(rest)
			want := descSize
			if e.desc.flags&descInlineMap != 0 {
				want += inlinePtrs * ptrSize
			}
			if len(rest) != want || e.desc.depth > 6 || e.desc.flags&^descInlineMap != 0 ||
				rest[41] != 0 || binary.BigEndian.Uint32(rest[44:]) != 0 { // compression, reserved
				return nil, errEntry
			}
			if e.desc.flags&descInlineMap != 0 {
				if e.desc.depth != 1 || !e.desc.root.IsNull() {
					return nil, errEntry
				}
				for i := range e.desc.ptrs {
					e.desc.ptrs[i] = getPointer(rest[descSize+i*ptrSize:])
				}
			}
		}
	case typeSymlink:
		if len(rest) < 2 || len(rest) != 2+int(binary.BigEndian.Uint16(rest)) {
			return nil, errEntry
		}
		e.target = string(rest[2:])
	case typeLink:
		if len(rest) != 16 {
			return nil, errEntry
		}
		copy(e.link[:], rest)
	case typeDir:
		if len(rest) != 0 {
			return nil, errEntry
		}
	default:
		return nil, errEntry
	}
	return e, nil
}

func entryKey(id [16]byte) []byte { return append([]byte{keyEntry}, id[:]...) }

func direntKey(parent [16]byte, name string) []byte {
	k := make([]byte, 0, 17+len(name))
	k = append(k, keyDirent)
	k = append(k, parent[:]...)
	return append(k, name...)
}

func direntPrefix(parent [16]byte) []byte { return append([]byte{keyDirent}, parent[:]...) }

// idFromCounter makes an entry id from the vault's monotonic object counter
// (big-endian in the last 8 bytes, so ids sort by creation).
func idFromCounter(n uint64) [16]byte {
	var id [16]byte
	binary.BigEndian.PutUint64(id[8:], n)
	return id
}

func counterOf(id [16]byte) uint64 { return binary.BigEndian.Uint64(id[8:]) }
