package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
)

// exportGolden reads a golden file of the export package: the CLI must
// produce the very same bytes from the same cache and clock.
func exportGolden(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "store", "export", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestExportCommand(t *testing.T) {
	c := newCLI(t)
	seedCache(t, c.home, c.now, mixedStories(t))
	tests := []struct {
		args   []string
		golden string
	}{
		{nil, "starred.golden.md"},
		{[]string{"--all"}, "all.golden.md"},
		{[]string{"--tag", "training-data"}, "tag-training-data.golden.md"},
		{[]string{"--all", "--since", "2d", "--front-matter"}, "since-front-matter.golden.md"},
		{[]string{"--tag", "no-such-tag", "--front-matter"}, "none.golden.md"},
		{[]string{"--tag", "api-pricing", "--template", filepath.Join("..", "..", "store", "export", "testdata", "bullets.tmpl")}, "bullets.golden.md"},
	}
	for _, tt := range tests {
		args := append([]string{"export"}, tt.args...)
		r := c.run(args...)
		if r.code != 0 {
			t.Errorf("trawl %s: exit %d, %q", strings.Join(args, " "), r.code, r.stderr)
			continue
		}
		if want := exportGolden(t, tt.golden); r.stdout != want {
			t.Errorf("trawl %s differs from %s:\n%s", strings.Join(args, " "), tt.golden, r.stdout)
		}
	}
}

func TestExportToFile(t *testing.T) {
	c := newCLI(t)
	seedCache(t, c.home, c.now, mixedStories(t))
	dir := t.TempDir()
	out := filepath.Join(dir, "brief.md")
	r := c.run("export", "-o", out)
	if r.code != 0 || r.stdout != "" || r.stderr != "exported 7 stories to "+out+"\n" {
		t.Fatalf("export -o: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil || string(got) != exportGolden(t, "starred.golden.md") {
		t.Fatalf("export -o wrote %q (%v)", got, err)
	}

	// Exporting again replaces the file and keeps the mode the user gave it.
	if err := os.Chmod(out, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := c.run("export", "--all", "-o", out); r.code != 0 {
		t.Fatalf("second export -o: exit %d, %q", r.code, r.stderr)
	}
	got, _ = os.ReadFile(out)
	if string(got) != exportGolden(t, "all.golden.md") {
		t.Errorf("the second export did not replace the file")
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after replacing: %v, %v; want 0600 kept", fi.Mode(), err)
	}
	assertOnly(t, dir, "brief.md")

	// A link to a file not written yet (a synced notes folder): the
	// export lands in its target and the link stays a link.
	link := filepath.Join(dir, "latest.md")
	if err := os.Symlink("notes.md", link); err != nil {
		t.Fatal(err)
	}
	if r := c.run("export", "-o", link); r.code != 0 {
		t.Fatalf("export -o through a dangling link: exit %d, %q", r.code, r.stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", fi, err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "notes.md")); err != nil || string(got) != exportGolden(t, "starred.golden.md") {
		t.Errorf("the link's target holds %q (%v)", got, err)
	}
}

// A failed export leaves the earlier file as it was, says why in one line,
// and leaves no temporary file behind.
func TestExportFailureKeepsEarlierFile(t *testing.T) {
	c := newCLI(t)
	seedCache(t, c.home, c.now, mixedStories(t))
	dir := t.TempDir()
	out := filepath.Join(dir, "brief.md")
	earlier := "# my edited brief\n\nkeep me\n"
	if err := os.WriteFile(out, []byte(earlier), 0o644); err != nil {
		t.Fatal(err)
	}
	// A template that writes part of the document and then fails: the part
	// reaches the temporary file, never brief.md.
	failing := filepath.Join(dir, "failing.tmpl")
	text := "{{range .Groups}}{{range .Stories}}{{md .Title}}\n{{end}}{{end}}{{index .Groups 99}}"
	if err := os.WriteFile(failing, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	// A path whose parent is a file: the temporary file cannot be created.
	underFile := filepath.Join(out, "nested.md")

	tests := []struct {
		name, target string
		args         []string
		why          string
	}{
		{"template fails half-way", out, []string{"--template", failing}, "error calling index"},
		{"parent is a file", underFile, nil, "not a directory"},
		{"target is a directory", dir, nil, "is a directory"},
		{"directory missing", filepath.Join(dir, "no", "such", "x.md"), nil, "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"export", "-o", tt.target}, tt.args...)
			r := c.run(args...)
			if r.code != exitFailed {
				t.Errorf("exit %d, want %d", r.code, exitFailed)
			}
			if !strings.Contains(r.stderr, tt.why) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("stderr %q, want one line saying %q", r.stderr, tt.why)
			}
			if got, err := os.ReadFile(out); err != nil || string(got) != earlier {
				t.Errorf("the earlier file changed: %q, %v", got, err)
			}
			assertOnly(t, dir, "brief.md", "failing.tmpl")
		})
	}
}

// assertOnly checks that dir holds exactly the named files: no temporary
// file was left behind.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %v, want exactly %v", dir, got, names)
	}
}

func TestExportTemplateErrorsNameTheFile(t *testing.T) {
	c := newCLI(t)
	seedCache(t, c.home, c.now, mixedStories(t))
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.tmpl")
	if err := os.WriteFile(bad, []byte("# {{.Title}}\n{{range .Groups}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	unknown := filepath.Join(dir, "unknown.tmpl")
	if err := os.WriteFile(unknown, []byte("{{range .Groups}}{{.Colour}}{{end}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--template", bad}, exitFailed, "trawl: template: " + bad + ":3: unexpected EOF"},
		{[]string{"--template", unknown}, exitFailed, "trawl: template: " + unknown + ":1:19: executing"},
		{[]string{"--template", filepath.Join(dir, "missing.tmpl")}, exitFailed, "trawl: read the template: open " + filepath.Join(dir, "missing.tmpl")},
		{[]string{"--template", bad, "--front-matter"}, exitUsage, "trawl export: --front-matter is for the built-in markdown"},
		{[]string{"--since", "soon"}, exitUsage, "trawl export: --since: bad duration"},
		{[]string{"training-data"}, exitUsage, "trawl export: export takes no arguments"},
	}
	for _, tt := range tests {
		args := append([]string{"export"}, tt.args...)
		r := c.run(args...)
		if r.code != tt.code || !strings.HasPrefix(r.stderr, tt.want) || r.stdout != "" {
			t.Errorf("trawl %s: exit %d, stdout %q, stderr %q; want exit %d and stderr starting %q", strings.Join(args, " "), r.code, r.stdout, r.stderr, tt.code, tt.want)
		}
		if tt.code == exitFailed && strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("trawl %s: error is not one line: %q", strings.Join(args, " "), r.stderr)
		}
	}
}

func TestExportHelpDocumentsTemplateData(t *testing.T) {
	r := newCLI(t).run("export", "--help")
	for _, want := range []string{"--template", "--front-matter", "--since", ".Groups", ".Stories", ".Link", ".Note", "md", "link TEXT URL"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("export --help does not mention %q", want)
		}
	}
}

func TestExportForTUI(t *testing.T) {
	c := newCLI(t)
	seedCache(t, c.home, c.now, mixedStories(t))
	golden := exportGolden(t, "starred.golden.md")
	// The reader's working directory must not matter.
	t.Chdir(t.TempDir())
	a, err := setup(c.env(strings.NewReader(""), io.Discard, io.Discard), &globals{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.open(false); err != nil {
		t.Fatal(err)
	}
	defer a.close()

	dir := filepath.Join(c.home, ".local", "share", "trawl", "exports")
	want := []string{
		filepath.Join(dir, "trawl-starred-2026-11-29.md"),
		filepath.Join(dir, "trawl-starred-2026-11-29-2.md"), // never over the first
		filepath.Join(dir, "trawl-starred-2026-11-29-3.md"),
	}
	for _, w := range want {
		path, err := exportForTUI(a)
		if err != nil {
			t.Fatal(err)
		}
		if path != w {
			t.Errorf("exported to %s, want %s", path, w)
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != golden {
			t.Errorf("%s holds %q (%v), want the starred export", path, got, err)
		}
	}
	assertOnly(t, dir, "trawl-starred-2026-11-29-2.md", "trawl-starred-2026-11-29-3.md", "trawl-starred-2026-11-29.md")

	// $XDG_DATA_HOME moves it, as it moves the cache.
	xdg := t.TempDir()
	c.vars = map[string]string{"XDG_DATA_HOME": xdg}
	path, err := exportForTUI(a)
	if err != nil || path != filepath.Join(xdg, "trawl", "exports", "trawl-starred-2026-11-29.md") {
		t.Errorf("with $XDG_DATA_HOME: %s, %v", path, err)
	}
}

// BenchmarkExport10k runs `trawl export -o FILE` on a cache of 10,000
// starred stories: opening the cache, reading, grouping, rendering and the
// atomic write. The target is under a second.
func BenchmarkExport10k(b *testing.B) {
	home := b.TempDir()
	tags := [][]item.Tag{{{Name: "training-data"}}, {{Name: "api-pricing"}, {Name: "training-data"}}, {{Name: "lawsuit"}}, nil}
	stories := make([]seeded, 10000)
	for i := range stories {
		stories[i] = seeded{
			Item: item.Item{
				Feed: fmt.Sprintf("https://outlet%d.example/feed", i%50), Outlet: fmt.Sprintf("Outlet %d", i%50),
				GUID:      fmt.Sprintf("story-%d", i),
				Title:     fmt.Sprintf("Story %d: a platform [changes] its *API* prices & who pays", i),
				Link:      fmt.Sprintf("https://outlet%d.example/2026/story-%d?ref=rss&x=(1)", i%50, i),
				Author:    "A. Reporter",
				Summary:   strings.Repeat("A summary sentence. ", 10),
				Published: fixedNow.Add(-time.Duration(i) * time.Minute),
				Tags:      tags[i%len(tags)],
			},
			Starred: true,
		}
		if i%3 == 0 {
			stories[i].Note = fmt.Sprintf("Note %d: follow up with *legal*;\n- ask about the <deal>", i)
		}
	}
	seedCache(b, home, fixedNow, stories)
	out := filepath.Join(b.TempDir(), "export.md")
	c := &cli{home: home, now: fixedNow}
	var stderr bytes.Buffer
	b.ResetTimer()
	for b.Loop() {
		stderr.Reset()
		if code := run(c.env(strings.NewReader(""), io.Discard, &stderr), []string{"export", "-o", out}); code != 0 {
			b.Fatalf("export: exit %d, %s", code, stderr.String())
		}
	}
	b.StopTimer()
	if !strings.HasPrefix(stderr.String(), "exported 10000 stories") {
		b.Fatalf("exported: %q", stderr.String())
	}
}
