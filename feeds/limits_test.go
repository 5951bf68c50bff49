package feeds

import (
	"strings"
	"testing"
)

// The per-host limit counts one server once, however its name is spelled.
func TestHostOf(t *testing.T) {
	tests := []struct{ a, b string }{
		{"https://Example.COM/feed", "https://example.com/other"},
		{"https://example.com./feed", "https://example.com/feed"},
		{"https://bücher.example/feed", "https://xn--bcher-kva.example/feed"},
		{"https://example.com:8443/feed", "https://example.com/feed"},
		{"https://[::1]:8080/feed", "https://[::1]/feed"},
	}
	for _, tt := range tests {
		if a, b := hostOf(tt.a), hostOf(tt.b); a != b {
			t.Errorf("%s is host %q, %s is %q: one server counted twice", tt.a, a, tt.b, b)
		}
	}
	if hostOf("https://a.example/") == hostOf("https://b.example/") {
		t.Error("two servers share a limit")
	}
}

// A Content-Length is a claim, not a reason to reserve memory: a body
// that says 16 MiB and sends three bytes costs little.
func TestReadBodyReservesLittleOnTrust(t *testing.T) {
	body, err := readBody(strings.NewReader("abc"), 16<<20, 16<<20)
	if err != nil || string(body) != "abc" {
		t.Fatalf("body %q, %v", body, err)
	}
	// The allocator rounds up to its size classes.
	if c := cap(body); c > 2*maxUpfront {
		t.Errorf("reserved %d bytes for a 3-byte body", c)
	}
	// A body as large as it said is still read whole.
	big := strings.Repeat("x", 3<<20)
	body, err = readBody(strings.NewReader(big), int64(len(big)), 16<<20)
	if err != nil || len(body) != len(big) {
		t.Errorf("read %d of %d bytes, %v", len(body), len(big), err)
	}
}
