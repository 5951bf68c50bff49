package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/trawl-news/trawl/feeds/sanitize"
)

// config is the user's config.toml. Every field has a working zero value.
type config struct {
	Fetch struct {
		Concurrency int      `toml:"concurrency"`
		PerHost     int      `toml:"per_host"`
		Timeout     duration `toml:"timeout"`
		// ConnectTimeout bounds the dial and TLS handshake alone.
		ConnectTimeout duration `toml:"connect_timeout"`
		MaxFeedMB      int      `toml:"max_feed_mb"`
		MaxItems       int      `toml:"max_items"`
	} `toml:"fetch"`
	Retention struct {
		// MaxAge, when set, prunes unkept stories older than it after
		// each fetch, and leaves such stories out of the refresh.
		MaxAge duration `toml:"max_age"`
	} `toml:"retention"`
	UI struct {
		Browser string `toml:"browser"`
	} `toml:"ui"`
}

const defaultConfigText = `# trawl configuration. Every setting is optional; the values shown are the
# defaults. Subscriptions live in feeds.txt and classifier rules in
# rules.toml, both beside this file.

[fetch]
# concurrency = 100    # feeds fetched at once (each host gets at most per_host)
# per_host = 4         # feeds fetched at once from one server, to be polite
# timeout = "30s"      # per feed, including the download
# connect_timeout = "10s"  # to connect and finish the TLS handshake
# max_feed_mb = 16     # largest feed accepted, after decompression
# max_items = 1000     # entries kept from one feed per fetch

[retention]
# Off unless set. When set, each fetch leaves out stories older than this and
# then drops cached ones older than this that are neither starred nor annotated.
# max_age = "90d"

[ui]
# browser = ""         # command to open links; default $BROWSER, then xdg-open / open
`

// duration is a time.Duration written as "30s", "12h" or "90d" in TOML.
type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := parseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// parseDuration accepts Go durations plus whole days and weeks ("90d", "2w"),
// which is how people think about news retention.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for _, unit := range []struct {
		suffix string
		d      time.Duration
	}{{"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour}} {
		if n, ok := strings.CutSuffix(s, unit.suffix); ok {
			var count int
			if _, err := fmt.Sscanf(n, "%d", &count); err == nil && fmt.Sprint(count) == n && count >= 0 {
				return time.Duration(count) * unit.d, nil
			}
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q (use forms like 90m, 36h, 30d, 2w)", s)
	}
	return d, nil
}

// loadConfig reads path; a missing file is the default config.
func loadConfig(path string) (config, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return config{}, nil
	}
	if err != nil {
		return config{}, fmt.Errorf("read config %s: %w", path, err)
	}
	return parseConfig(path, raw)
}

// parseConfig decodes the text of the config file at path. Every error is
// one line naming the file and, where it can be told, the line.
func parseConfig(path string, raw []byte) (config, error) {
	var c config
	at := func(line int) string {
		if line > 0 {
			return fmt.Sprintf("config %s:%d", path, line)
		}
		return "config " + path
	}
	md, err := toml.Decode(string(raw), &c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return c, fmt.Errorf("%s: %s", at(perr.Position.Line), sanitize.Line(perr.Message))
		}
		// Type mismatches come as "toml: line N (last key "K"): ...".
		if m := tomlLineRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return c, fmt.Errorf("%s: %s: %s", at(line), m[2], sanitize.Line(m[3]))
		}
		return c, fmt.Errorf("%s: %s", at(0), sanitize.Line(err.Error()))
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		key := undecoded[0]
		return c, fmt.Errorf("%s: unknown setting %q (see the comments in a fresh config.toml for the known ones)", at(keyLine(raw, key)), key.String())
	}
	for _, n := range []struct {
		name  string
		value int
	}{{"concurrency", c.Fetch.Concurrency}, {"per_host", c.Fetch.PerHost}, {"max_feed_mb", c.Fetch.MaxFeedMB}, {"max_items", c.Fetch.MaxItems}} {
		if n.value < 0 {
			return c, fmt.Errorf("%s: fetch.%s must not be negative", at(keyLine(raw, toml.Key{"fetch", n.name})), n.name)
		}
	}
	return c, nil
}

var tomlLineRE = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// keyLine finds the line that sets key in a TOML text, for messages about
// settings the decoder does not place: 0 if it cannot tell. It knows the
// forms a config file uses: [table] headers and key = value lines,
// possibly dotted or quoted.
func keyLine(raw []byte, key toml.Key) int {
	var table []string
	for i, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			name, _, _ := strings.Cut(strings.Trim(line, "[]"), "]")
			table = keyParts(name)
			continue
		}
		name, _, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if slices.Equal(append(slices.Clone(table), keyParts(name)...), []string(key)) {
			return i + 1
		}
	}
	return 0
}

// keyParts splits a dotted TOML key into its parts, unquoted.
func keyParts(s string) []string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return parts
}
