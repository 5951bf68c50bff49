package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
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
	var c config
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read config %s: %w", path, err)
	}
	md, err := toml.Decode(string(raw), &c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return c, fmt.Errorf("config %s:%d: %s", path, perr.Position.Line, perr.Message)
		}
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return c, fmt.Errorf("config %s: unknown setting %q (see the comments in a fresh config.toml for the known ones)", path, undecoded[0].String())
	}
	if c.Fetch.Concurrency < 0 || c.Fetch.PerHost < 0 || c.Fetch.MaxFeedMB < 0 || c.Fetch.MaxItems < 0 {
		return c, fmt.Errorf("config %s: [fetch] numbers must not be negative", path)
	}
	return c, nil
}
