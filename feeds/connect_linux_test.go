package feeds_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds"
)

// silentListener is a loopback socket listening with a backlog of zero and
// never accepting: once one connection waits in its queue, Linux drops
// further SYNs, so a new connection hangs the way one to a dead host does.
func silentListener(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	// Fill the queue. Whether the kernel counts a backlog of zero as one
	// or two, a third connection finds it full.
	for range 2 {
		// A loopback connect takes microseconds; the one the kernel
		// drops waits out the whole timeout.
		c, err := net.DialTimeout("tcp", addr, 50*time.Millisecond)
		if err != nil {
			break
		}
		t.Cleanup(func() { c.Close() })
	}
	return addr
}

// A server that never completes the TCP handshake is given up on after the
// connect timeout, not the whole request's, and the user is told which.
func TestFetchConnectTimeout(t *testing.T) {
	addr := silentListener(t)
	f := feeds.NewFetcher(feeds.FetchOptions{ConnectTimeout: 300 * time.Millisecond, Timeout: 20 * time.Second})
	_, err := f.Fetch(context.Background(), feeds.Request{URL: "http://" + addr + "/feed"}, time.Now())
	if !errors.Is(err, feeds.ErrTimeout) || !strings.Contains(err.Error(), "timed out connecting to "+addr+" after 300ms") {
		t.Fatalf("error %v, want a connect timeout naming %s", err, addr)
	}
}
