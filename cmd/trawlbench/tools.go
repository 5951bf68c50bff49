package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/trawl-news/trawl/cmd/trawlbench/proc"
)

// sandbox is a private home for the programs under test, so that neither
// trawl nor newsboat reads or writes the user's own files, and neither
// inherits a proxy or locale setting that would change what is measured.
type sandbox struct {
	home string
}

func newSandbox(dir string) (sandbox, error) {
	home := filepath.Join(dir, "home")
	for _, d := range []string{".config", ".local/share", ".local/state", ".cache"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o755); err != nil {
			return sandbox{}, fmt.Errorf("sandbox: %w", err)
		}
	}
	return sandbox{home: home}, nil
}

// env is the environment of every benchmarked process. TERM is what a
// colour terminal says; commands that are not in a pty see pipes anyway.
func (s sandbox) env() []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + s.home,
		"XDG_CONFIG_HOME=" + filepath.Join(s.home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(s.home, ".local/share"),
		"XDG_STATE_HOME=" + filepath.Join(s.home, ".local/state"),
		"XDG_CACHE_HOME=" + filepath.Join(s.home, ".cache"),
		"LANG=C.UTF-8",
		"TERM=xterm-256color",
		"TZ=UTC",
	}
}

// trawlTool runs the trawl binary under test.
type trawlTool struct {
	bin  string
	box  sandbox
	wrap []string // a command trawl runs under, such as perf record
}

// trawlSpace is one trawl cache with its config and subscriptions.
type trawlSpace struct {
	dir, db, config string
}

// newTrawlSpace writes config.toml (configText; empty for the defaults)
// and feeds.txt with urls into a fresh directory.
func newTrawlSpace(dir string, urls []string, configText string) (trawlSpace, error) {
	ws := trawlSpace{dir: dir, db: filepath.Join(dir, "trawl.db"), config: filepath.Join(dir, "config.toml")}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ws, fmt.Errorf("trawl workspace: %w", err)
	}
	if err := os.WriteFile(ws.config, []byte(configText), 0o644); err != nil {
		return ws, fmt.Errorf("trawl workspace: %w", err)
	}
	subs := "# benchmark feeds, written by trawlbench\n" + strings.Join(urls, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "feeds.txt"), []byte(subs), 0o644); err != nil {
		return ws, fmt.Errorf("trawl workspace: %w", err)
	}
	return ws, nil
}

// command returns `trawl --db DB --config CONFIG args...`.
func (t trawlTool) command(ws trawlSpace, args ...string) *exec.Cmd {
	argv := append(append(append([]string(nil), t.wrap...), t.bin, "--db", ws.db, "--config", ws.config), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = ws.dir
	cmd.Env = t.box.env()
	return cmd
}

// run runs a trawl command and turns a non-zero exit into an error that
// quotes trawl's own message.
func (t trawlTool) run(ctx context.Context, ws trawlSpace, args ...string) (proc.Result, error) {
	res, err := proc.Run(ctx, t.command(ws, args...))
	if err != nil {
		return res, err
	}
	if res.ExitCode != 0 {
		return res, fmt.Errorf("trawl %s exited %d: %s", args[0], res.ExitCode, proc.FirstLine(res.Stderr))
	}
	return res, nil
}

// newsboatTool runs newsboat, when it is installed.
type newsboatTool struct {
	bin     string
	version string
	box     sandbox
}

// findNewsboat looks name up on PATH. An empty name, or one not found,
// leaves newsboat out; the reason is returned for the report.
func findNewsboat(ctx context.Context, name string, box sandbox) (*newsboatTool, string) {
	if name == "" {
		return nil, "not installed"
	}
	bin, err := exec.LookPath(name)
	if err != nil {
		return nil, "not installed"
	}
	cmd := exec.CommandContext(ctx, bin, "--version")
	cmd.Env = box.env()
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Sprintf("not usable (%s --version: %s)", bin, err)
	}
	return &newsboatTool{bin: bin, version: proc.FirstLine(out), box: box}, ""
}

// newsboatSpace is one newsboat cache with its urls file and a config
// file per reload-threads setting.
type newsboatSpace struct {
	dir, urls, cache string
}

func newNewsboatSpace(dir string, urls []string) (newsboatSpace, error) {
	ws := newsboatSpace{dir: dir, urls: filepath.Join(dir, "urls"), cache: filepath.Join(dir, "cache.db")}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ws, fmt.Errorf("newsboat workspace: %w", err)
	}
	if err := os.WriteFile(ws.urls, []byte(strings.Join(urls, "\n")+"\n"), 0o644); err != nil {
		return ws, fmt.Errorf("newsboat workspace: %w", err)
	}
	return ws, nil
}

// configFor writes (once) and returns the config file for a thread count.
// Everything else stays at newsboat's defaults.
func (ws newsboatSpace) configFor(threads int) (string, error) {
	path := filepath.Join(ws.dir, fmt.Sprintf("config-threads-%d", threads))
	text := fmt.Sprintf("# written by trawlbench\nreload-threads %d\n", threads)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return "", fmt.Errorf("newsboat config: %w", err)
	}
	return path, nil
}

// run runs `newsboat -q -u URLS -c CACHE -C CONFIG -x commands...`.
func (n *newsboatTool) run(ctx context.Context, ws newsboatSpace, threads int, commands ...string) (proc.Result, error) {
	config, err := ws.configFor(threads)
	if err != nil {
		return proc.Result{}, err
	}
	args := append([]string{"-q", "-u", ws.urls, "-c", ws.cache, "-C", config, "-x"}, commands...)
	cmd := exec.Command(n.bin, args...)
	cmd.Dir = ws.dir
	cmd.Env = n.box.env()
	res, err := proc.Run(ctx, cmd)
	if err != nil {
		return res, err
	}
	if res.ExitCode != 0 {
		return res, fmt.Errorf("newsboat -x %s exited %d: %s", strings.Join(commands, " "), res.ExitCode, proc.FirstLine(append(res.Stderr, res.Stdout...)))
	}
	return res, nil
}
