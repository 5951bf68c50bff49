package proc

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/term"
)

// The test binary doubles as the programs under test: with
// TRAWLBENCH_HELPER set, TestMain runs one of the helpers below instead
// of the tests.
func TestMain(m *testing.M) {
	MaybeLaunch()
	if name := os.Getenv("TRAWLBENCH_HELPER"); name != "" {
		os.Exit(helper(name))
	}
	os.Exit(m.Run())
}

func helperCmd(name string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "TRAWLBENCH_HELPER="+name)
	return cmd
}

func helper(name string) int {
	switch name {
	case "print":
		fmt.Println("to stdout")
		fmt.Fprintln(os.Stderr, "\n  to stderr  \nsecond line")
		return 3
	case "tui", "stubborn", "silent":
		return tuiHelper(name)
	}
	return 100
}

// tuiHelper behaves like a terminal program: raw mode, a background
// colour query that it waits for, a loading line, then a frame; "tui"
// quits on q, "stubborn" only on ctrl+c, "silent" never draws the frame.
func tuiHelper(name string) int {
	state, err := term.MakeRaw(os.Stdin.Fd())
	if err != nil {
		return 101
	}
	defer term.Restore(os.Stdin.Fd(), state)
	os.Stdout.WriteString("\x1b[?1049h\x1b]11;?\x1b\\\x1b[6n")
	// Wait for the cursor position report, as termenv does.
	var got []byte
	buf := make([]byte, 64)
	for !bytes.HasSuffix(got, []byte("R")) {
		n, err := os.Stdin.Read(buf)
		if err != nil {
			return 102
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Contains(got, []byte("rgb:")) {
		return 103
	}
	os.Stdout.WriteString("loading…\r\n")
	if name != "silent" {
		os.Stdout.WriteString("\x1b[2J\x1b[1;1H\x1b[1mStory \x1b[0mone\r\nStory two\r\n")
	}
	for {
		n, err := os.Stdin.Read(buf)
		if err != nil {
			return 104
		}
		for _, c := range buf[:n] {
			switch {
			case c == 'q' && name == "tui":
				os.Stdout.WriteString("\x1b[?1049l")
				return 0
			case c == 0x03:
				return 130
			}
		}
	}
}

func TestRunMeasuresAndCaptures(t *testing.T) {
	res, err := Run(context.Background(), helperCmd("print"))
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 {
		t.Errorf("exit code %d, want 3", res.ExitCode)
	}
	if string(res.Stdout) != "to stdout\n" || !strings.Contains(string(res.Stderr), "to stderr") {
		t.Errorf("stdout %q, stderr %q", res.Stdout, res.Stderr)
	}
	if FirstLine(res.Stderr) != "to stderr" {
		t.Errorf("FirstLine(stderr) = %q", FirstLine(res.Stderr))
	}
	if res.Wall <= 0 || res.MaxRSS <= 0 {
		t.Errorf("wall %s and max RSS %d should both be measured", res.Wall, res.MaxRSS)
	}
}

// TestRunMeasuresTheProgramNotTheHarness grows this process well past
// what the helper uses, and checks the helper's peak RSS is its own.
func TestRunMeasuresTheProgramNotTheHarness(t *testing.T) {
	ballast := make([]byte, 256<<20)
	for i := range ballast {
		ballast[i] = byte(i)
	}
	res, err := Run(context.Background(), helperCmd("print"))
	if err != nil {
		t.Fatal(err)
	}
	if res.MaxRSS <= 0 || res.MaxRSS > 128<<20 {
		t.Fatalf("a small helper measured at %d MB peak RSS beside a 256 MB harness", res.MaxRSS>>20)
	}
	if res.CPU <= 0 {
		t.Errorf("CPU time %s", res.CPU)
	}
	runtime.KeepAlive(ballast)
}

func TestRunReportsAMissingProgram(t *testing.T) {
	if _, err := Run(context.Background(), exec.Command("/nonexistent/trawl")); err == nil {
		t.Fatal("no error for a program that does not exist")
	}
}

func frameOpts() FrameOptions {
	return FrameOptions{
		Cols: 80, Rows: 24,
		Ready: func(text string) bool {
			return strings.Contains(text, "Story one") && strings.Contains(text, "Story two")
		},
		Quit:    []byte("q"),
		Timeout: 60 * time.Second,
		// Generous, so that a loaded machine never turns a clean quit
		// into an escalation.
		QuitGrace: 20 * time.Second,
	}
}

func TestFirstFrameAnswersQueriesAndQuits(t *testing.T) {
	res, err := FirstFrame(context.Background(), helperCmd("tui"), frameOpts())
	if err != nil {
		t.Fatal(err)
	}
	if res.FirstFrame <= 0 || res.FirstFrame > res.Wall {
		t.Errorf("first frame at %s of a %s run", res.FirstFrame, res.Wall)
	}
	if !res.QuitClean || res.ExitCode != 0 {
		t.Errorf("quit clean %v, exit code %d; want a clean exit on q", res.QuitClean, res.ExitCode)
	}
	if res.MaxRSS <= 0 {
		t.Error("no max RSS")
	}
	if !bytes.Contains(res.Stdout, []byte("loading…")) {
		t.Errorf("transcript lacks the loading line: %q", res.Stdout)
	}
}

func TestFirstFrameEscalatesWhenQuitIsIgnored(t *testing.T) {
	opts := frameOpts()
	opts.QuitGrace = 2 * time.Second // the wait before ctrl+c, and again before a kill
	res, err := FirstFrame(context.Background(), helperCmd("stubborn"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.QuitClean || res.ExitCode != 130 {
		t.Fatalf("quit clean %v, exit code %d; want ctrl+c to have ended it with 130", res.QuitClean, res.ExitCode)
	}
}

func TestFirstFrameFailsWithoutAFrame(t *testing.T) {
	opts := frameOpts()
	opts.Timeout = 300 * time.Millisecond
	res, err := FirstFrame(context.Background(), helperCmd("silent"), opts)
	if err == nil {
		t.Fatal("no error for a program that never drew its frame")
	}
	if !strings.Contains(err.Error(), "no ready frame") {
		t.Errorf("error %q", err)
	}
	if res.FirstFrame != 0 {
		t.Errorf("first frame %s for a program that drew none", res.FirstFrame)
	}
}

func TestFirstFrameFailsWhenTheProgramExitsEarly(t *testing.T) {
	_, err := FirstFrame(context.Background(), helperCmd("print"), frameOpts())
	if err == nil || !strings.Contains(err.Error(), "before drawing") {
		t.Fatalf("error %v, want one saying it exited before drawing", err)
	}
}
