package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/trawl-news/trawl/feeds"
)

// paths are the files trawl uses, resolved from flags, environment and the
// XDG base directories.
type paths struct {
	config string // config.toml
	subs   string // feeds.txt, beside the config file
	rules  string // rules.toml, beside the config file
	db     string // the cache
	logs   string // trawl.log
}

// resolvePaths applies the precedence flag > environment > XDG default.
// Stars and notes live in the cache, so the cache goes under the data
// directory ($XDG_DATA_HOME), not $XDG_CACHE_HOME, which users and tools
// clear without a second thought.
func resolvePaths(e *env, g *globals) (paths, error) {
	var p paths
	home := e.getenv("HOME")
	xdg := func(envName, fallback string) (string, error) {
		if dir := e.getenv(envName); dir != "" && filepath.IsAbs(dir) {
			return dir, nil
		}
		if home == "" {
			return "", fmt.Errorf("cannot find the home directory ($HOME is not set); set $%s or pass --db and --config", envName)
		}
		return filepath.Join(home, fallback), nil
	}
	p.config = firstSet(g.config, e.getenv("TRAWL_CONFIG"))
	if p.config == "" {
		dir, err := xdg("XDG_CONFIG_HOME", ".config")
		if err != nil {
			return p, err
		}
		p.config = filepath.Join(dir, "trawl", "config.toml")
	}
	p.db = firstSet(g.db, e.getenv("TRAWL_DB"))
	if p.db == "" {
		dir, err := xdg("XDG_DATA_HOME", filepath.Join(".local", "share"))
		if err != nil {
			return p, err
		}
		p.db = filepath.Join(dir, "trawl", "trawl.db")
	}
	if dir, err := xdg("XDG_STATE_HOME", filepath.Join(".local", "state")); err == nil {
		p.logs = filepath.Join(dir, "trawl", "trawl.log")
	}
	cfgDir := filepath.Dir(p.config)
	p.subs = filepath.Join(cfgDir, "feeds.txt")
	p.rules = filepath.Join(cfgDir, "rules.toml")
	return p, nil
}

func firstSet(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// firstRun creates the config file and the subscriptions file with the
// default outlets if they do not exist yet, and says where they went.
func firstRun(e *env, p paths) error {
	var created []string
	if _, err := os.Stat(p.config); errors.Is(err, fs.ErrNotExist) {
		if err := feeds.WriteFileAtomic(p.config, []byte(defaultConfigText), 0o644); err != nil {
			return fmt.Errorf("create config: %w", err)
		}
		created = append(created, p.config)
	}
	if _, err := os.Stat(p.subs); errors.Is(err, fs.ErrNotExist) {
		list, err := feeds.LoadSubscriptions(p.subs)
		if err != nil {
			return err
		}
		for _, s := range feeds.DefaultSubscriptions() {
			if err := list.Add(s); err != nil {
				return err
			}
		}
		if err := list.Save(); err != nil {
			return err
		}
		created = append(created, fmt.Sprintf("%s (%d default feeds)", p.subs, len(feeds.DefaultSubscriptions())))
	}
	if len(created) > 0 {
		fmt.Fprintf(e.stderr, "%s: first run: created %s\n", programName, strings.Join(created, " and "))
	}
	return nil
}
