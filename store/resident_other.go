//go:build !linux

package store

// dropMapped does nothing where the Linux madvise semantics it relies on
// (unmapping clean shared file pages without losing them) are not known
// to hold.
func dropMapped(addr uintptr, n int64) {}
