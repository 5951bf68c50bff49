package proc

import (
	"bytes"
	"fmt"
)

// Terminal answers the queries a program sends its terminal, as xterm
// does. Programs built on termenv (lipgloss, Bubble Tea) ask for the
// background colour at start-up and wait up to five seconds for an answer,
// so a harness that stays silent would measure that wait instead of the
// program.
//
// It answers OSC 10/11 (foreground and background colour), DSR 6 (cursor
// position) and DA1 (device attributes). Queries split across reads are
// kept until they are complete.
type Terminal struct {
	Rows, Cols int
	pending    []byte
}

const (
	esc = 0x1b
	bel = 0x07
	// maxPending bounds what is kept of an unterminated sequence; longer
	// ones are not queries.
	maxPending = 256
)

// Answer scans the next piece of a program's output and returns the replies
// to write to its input, or nil.
func (t *Terminal) Answer(out []byte) []byte {
	buf := append(t.pending, out...)
	t.pending = nil
	var reply []byte
	for i := 0; i < len(buf); i++ {
		if buf[i] != esc {
			continue
		}
		n, r, complete := t.sequence(buf[i:])
		if !complete {
			if len(buf)-i <= maxPending {
				t.pending = append([]byte(nil), buf[i:]...)
			}
			break
		}
		reply = append(reply, r...)
		i += n - 1
	}
	return reply
}

// sequence reads the escape sequence at the start of b: its length, the
// reply it calls for, and whether it was complete.
func (t *Terminal) sequence(b []byte) (n int, reply []byte, complete bool) {
	if len(b) < 2 {
		return 0, nil, false
	}
	switch b[1] {
	case '[':
		return t.csi(b)
	case ']':
		return t.osc(b)
	}
	return 2, nil, true
}

// csi handles ESC [ params intermediates final.
func (t *Terminal) csi(b []byte) (int, []byte, bool) {
	for i := 2; i < len(b); i++ {
		c := b[i]
		if c >= 0x20 && c <= 0x3f {
			continue // parameter and intermediate bytes
		}
		if c < 0x40 || c > 0x7e {
			return i, nil, true // malformed: skip what we have
		}
		params := string(b[2:i])
		switch {
		case c == 'n' && params == "6":
			return i + 1, []byte(fmt.Sprintf("\x1b[%d;%dR", 1, 1)), true
		case c == 'c' && (params == "" || params == "0"):
			return i + 1, []byte("\x1b[?62;22c"), true
		}
		return i + 1, nil, true
	}
	return 0, nil, false
}

// osc handles ESC ] text (BEL | ESC \).
func (t *Terminal) osc(b []byte) (int, []byte, bool) {
	end, termLen := -1, 0
	if i := bytes.IndexByte(b, bel); i >= 0 {
		end, termLen = i, 1
	}
	if i := bytes.Index(b, []byte("\x1b\\")); i >= 0 && (end < 0 || i < end) {
		end, termLen = i, 2
	}
	if end < 0 {
		return 0, nil, false
	}
	n := end + termLen
	switch string(b[2:end]) {
	case "10;?":
		return n, []byte("\x1b]10;rgb:d0d0/d0d0/d0d0\x1b\\"), true
	case "11;?":
		return n, []byte("\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\"), true
	}
	return n, nil, true
}
