package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/trawl-news/trawl/feeds"
	"github.com/trawl-news/trawl/feeds/classify"
	"github.com/trawl-news/trawl/store"
)

// app is what most commands need: resolved paths, the config and, once
// opened, the cache.
type app struct {
	env   *env
	paths paths
	cfg   config
	db    *store.DB
}

// setup resolves paths and reads the config. Commands that work on
// subscriptions pass firstRunToo to create the default files.
func setup(e *env, g *globals, firstRunToo bool) (*app, error) {
	p, err := resolvePaths(e, g)
	if err != nil {
		return nil, err
	}
	if firstRunToo {
		if err := firstRun(e, p); err != nil {
			return nil, err
		}
	}
	cfg, err := loadConfig(p.config)
	if err != nil {
		return nil, err
	}
	return &app{env: e, paths: p, cfg: cfg}, nil
}

// open opens the cache, read-only or for writing. A cache that does not
// exist yet is created first (and the user told where), so that reading
// commands on a fresh machine show an empty cache rather than an error.
func (a *app) open(readOnly bool) error {
	if _, err := os.Stat(a.paths.db); errors.Is(err, fs.ErrNotExist) {
		db, err := store.Open(a.paths.db, store.Options{Now: a.env.now})
		if err != nil {
			return err
		}
		if err := db.Close(); err != nil {
			return err
		}
		fmt.Fprintf(a.env.stderr, "%s: created the cache %s\n", programName, a.paths.db)
	}
	db, err := store.Open(a.paths.db, store.Options{ReadOnly: readOnly, Now: a.env.now})
	if err != nil {
		return err
	}
	a.db = db
	return nil
}

func (a *app) close() {
	if a.db != nil {
		a.db.Close()
		a.db = nil
	}
}

// classifier loads the rules: built-in defaults plus the user's rules file
// (rules.toml beside the config file), which need not exist.
func (a *app) classifier() (*classify.Classifier, error) {
	if a.paths.rules == "" {
		return classify.Default(), nil // the demo runs without a config directory
	}
	return classify.LoadFile(a.paths.rules)
}

func (a *app) subscriptions() (*feeds.SubscriptionList, error) {
	return feeds.LoadSubscriptions(a.paths.subs)
}

func (a *app) refreshOptions(progress func(feeds.Event)) feeds.RefreshOptions {
	return feeds.RefreshOptions{
		Concurrency: a.cfg.Fetch.Concurrency,
		PerHost:     a.cfg.Fetch.PerHost,
		MaxItems:    a.cfg.Fetch.MaxItems,
		MaxAge:      a.cfg.Retention.MaxAge.Duration,
		Now:         a.env.now,
		Progress:    progress,
		Fetch: feeds.FetchOptions{
			UserAgent:      fmt.Sprintf("trawl/%s (+https://github.com/trawl-news/trawl)", version),
			Timeout:        a.cfg.Fetch.Timeout.Duration,
			ConnectTimeout: a.cfg.Fetch.ConnectTimeout.Duration,
			MaxBytes:       int64(a.cfg.Fetch.MaxFeedMB) << 20,
		},
	}
}
