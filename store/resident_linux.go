package store

import "syscall"

// dropMapped tells the kernel that the n bytes of file mapping at addr are
// not needed for now. For a shared file mapping MADV_DONTNEED only unmaps
// the pages from this process; the file's data stays in the page cache.
// Errors are ignored: the call is advice, and reading works either way.
func dropMapped(addr uintptr, n int64) {
	if addr == 0 || n <= 0 {
		return
	}
	syscall.Syscall(syscall.SYS_MADVISE, addr, uintptr(n), syscall.MADV_DONTNEED)
}
