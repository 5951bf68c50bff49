package proc

import (
	"testing"
)

func TestTerminalAnswers(t *testing.T) {
	const bg = "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\"
	const fg = "\x1b]10;rgb:d0d0/d0d0/d0d0\x1b\\"
	const cpr = "\x1b[1;1R"
	const da1 = "\x1b[?62;22c"
	tests := []struct {
		name   string
		chunks []string
		want   string
	}{
		{"plain text", []string{"hello\r\n"}, ""},
		{"background, BEL", []string{"\x1b]11;?\x07"}, bg},
		{"background, ST", []string{"\x1b]11;?\x1b\\"}, bg},
		{"foreground", []string{"\x1b]10;?\x07"}, fg},
		{"termenv's pair", []string{"\x1b]11;?\x1b\\\x1b[6n"}, bg + cpr},
		{"device attributes", []string{"\x1b[c", "\x1b[0c"}, da1 + da1},
		{"split inside the OSC", []string{"ab\x1b]1", "1;?", "\x07cd"}, bg},
		{"split after ESC", []string{"\x1b", "[6n"}, cpr},
		{"split before the ST's backslash", []string{"\x1b]11;?\x1b", "\\"}, bg},
		{"styling is not a query", []string{"\x1b[1;31mred\x1b[0m\x1b[?1049h\x1b[2J"}, ""},
		{"other OSC is not a query", []string{"\x1b]0;title\x07\x1b]11;rgb:0/0/0\x07"}, ""},
		{"secondary DA is not answered", []string{"\x1b[>c"}, ""},
		{"queries amid a frame", []string{"frame\x1b[6nmore\x1b]11;?\x07end"}, cpr + bg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			term := Terminal{Rows: 40, Cols: 120}
			var got string
			for _, c := range tt.chunks {
				got += string(term.Answer([]byte(c)))
			}
			if got != tt.want {
				t.Fatalf("replies %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTerminalDropsRunawaySequences(t *testing.T) {
	term := Terminal{}
	long := make([]byte, 4*maxPending)
	for i := range long {
		long[i] = 'x'
	}
	term.Answer(append([]byte("\x1b]"), long...))
	if len(term.pending) != 0 {
		t.Fatalf("kept %d bytes of an unterminated OSC", len(term.pending))
	}
	if got := string(term.Answer([]byte("\x1b[6n"))); got != "\x1b[1;1R" {
		t.Fatalf("after a runaway sequence, replies %q", got)
	}
}
