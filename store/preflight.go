package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt's on-disk header, read here before bbolt maps the file. bbolt
// validates its meta pages but not the file's length: it maps the file and
// would die with SIGBUS, which no recover catches, on the first read past
// the end of a truncated cache. It would also quietly commit to a file
// whose freelist was never written. Reading the header ourselves turns
// both into a clear error and guarantees bbolt never writes to a file that
// is not a healthy trawl cache.
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	pageHeaderSize  = 16 // id u64, flags u16, count u16, overflow u32
	metaSize        = 64 // see go.etcd.io/bbolt/internal/common/meta.go
	metaChecksumOff = 56 // the checksum covers the bytes before it
	metaReadSize    = pageHeaderSize + metaSize
	noFreelist      = ^uint64(0) // common.PgidNoFreelist
	minPageSize     = 512
	maxPageSize     = 1 << 24
	defaultPageSize = 4096 // the usual OS page size, bbolt's default
	maxMetaProbe    = 14   // bbolt probes page sizes 1 KiB << 0..14
)

// boltMeta is the part of a bbolt meta page preflight needs.
type boltMeta struct {
	magic, version, pageSize uint32
	freelist, pgid, txid     uint64
	err                      error // why it is not a usable meta page
}

var (
	errNotBolt    = errors.New("not a bbolt database")
	errBadVersion = errors.New("a bbolt database of an unsupported format")
	errChecksum   = errors.New("both of its header pages fail their checksums")
)

func parseMeta(b []byte) boltMeta {
	if len(b) < metaReadSize {
		return boltMeta{err: errNotBolt}
	}
	m := b[pageHeaderSize:]
	ne := binary.NativeEndian // bbolt writes its structs in memory order
	meta := boltMeta{
		magic:    ne.Uint32(m[0:]),
		version:  ne.Uint32(m[4:]),
		pageSize: ne.Uint32(m[8:]),
		freelist: ne.Uint64(m[32:]),
		pgid:     ne.Uint64(m[40:]),
		txid:     ne.Uint64(m[48:]),
	}
	h := fnv.New64a()
	h.Write(m[:metaChecksumOff])
	switch {
	case meta.magic != boltMagic:
		meta.err = errNotBolt
	case meta.version != boltVersion:
		meta.err = errBadVersion
	case ne.Uint64(m[metaChecksumOff:]) != h.Sum64():
		meta.err = errChecksum
	case meta.pageSize < minPageSize || meta.pageSize > maxPageSize || meta.pageSize&(meta.pageSize-1) != 0:
		meta.err = errChecksum
	}
	return meta
}

// preflight checks that the file at path looks like an intact bbolt file:
// one valid meta page at least, a synced freelist, and every page the meta
// page counts present on disk. The error says what is wrong, in words.
func preflight(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	readMeta := func(off int64) boltMeta {
		buf := make([]byte, metaReadSize)
		if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return boltMeta{err: err}
		} else if err != nil {
			return boltMeta{err: errNotBolt}
		}
		return parseMeta(buf)
	}
	m0 := readMeta(0)
	var m1 boltMeta
	if m0.err == nil {
		m1 = readMeta(int64(m0.pageSize))
	} else {
		// Page 0 is damaged, so its page size is unknown: probe where
		// meta page 1 would sit for each size bbolt can write, as bbolt
		// itself does.
		m1 = boltMeta{err: m0.err}
		for i := 0; i <= maxMetaProbe; i++ {
			off := int64(1024) << i
			if off+metaReadSize > size {
				break
			}
			if m := readMeta(off); m.err == nil && int64(m.pageSize) == off {
				m1 = m
				break
			}
		}
	}
	best := m0
	switch {
	case m0.err != nil && m1.err != nil:
		if errors.Is(m0.err, errNotBolt) && size < defaultPageSize*2 && size > 0 {
			return fmt.Errorf("%w, and only %d bytes long", errNotBolt, size)
		}
		return m0.err
	case m0.err != nil || (m1.err == nil && m1.txid > m0.txid):
		best = m1
	}
	if best.freelist == noFreelist {
		return errors.New("written without a freelist, which trawl never does")
	}
	if need := int64(best.pgid) * int64(best.pageSize); size < need {
		return fmt.Errorf("truncated: %d bytes on disk, but its header counts %d", size, need)
	}
	return nil
}
