// Command trawlfeeds serves trawlbench's generated feeds until it is
// interrupted, for trying trawl, newsboat or any other reader by hand
// against exactly the feeds the benchmarks use.
//
//	go run ./cmd/trawlfeeds -feeds 200 -items 50 -latency 50ms -urls /tmp/urls
//	trawl --db /tmp/t.db --config /tmp/t/config.toml fetch   # with /tmp/t/feeds.txt = /tmp/urls
//	newsboat -u /tmp/urls -c /tmp/nb.db -x reload
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/trawl-news/trawl/cmd/trawlbench/feedgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if err == flag.ErrHelp {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "trawlfeeds: %s\n", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("trawlfeeds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	feeds := fs.Int("feeds", 200, "feeds to serve")
	items := fs.Int("items", 50, "stories per feed")
	hosts := fs.Int("hosts", 50, "loopback addresses to spread the feeds over (127.0.0.2 on; 1 uses 127.0.0.1)")
	latency := fs.Duration("latency", 0, "delay before every response")
	base := fs.String("base", "2026-06-01T12:00:00Z", "publication time of the newest story (RFC 3339)")
	seed := fs.Uint64("seed", 0, "varies the wording of the stories")
	urls := fs.String("urls", "", "also write the feed URLs, one a line, to this file")
	verbose := fs.Bool("v", false, "log every request to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	t, err := time.Parse(time.RFC3339, *base)
	if err != nil {
		return fmt.Errorf("-base: %w", err)
	}
	opts := feedgen.ServerOptions{Hosts: *hosts, Latency: *latency}
	if *verbose {
		opts.OnRequest = func(r *http.Request, status int) {
			cond := ""
			if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
				cond = " (conditional)"
			}
			fmt.Fprintf(stderr, "%s %s%s %d %s\n", r.Method, r.Host, r.URL.Path, status, cond)
		}
	}
	srv, err := feedgen.Start(feedgen.New(feedgen.Options{Feeds: *feeds, Items: *items, Base: t, Seed: *seed}), opts)
	if err != nil {
		return err
	}
	defer srv.Close()
	list := strings.Join(srv.URLs(), "\n") + "\n"
	if *urls != "" {
		if err := os.WriteFile(*urls, []byte(list), 0o644); err != nil {
			return fmt.Errorf("-urls: %w", err)
		}
		fmt.Fprintf(stderr, "trawlfeeds: wrote %d URLs to %s\n", *feeds, *urls)
	} else {
		io.WriteString(stdout, list)
	}
	fmt.Fprintf(stderr, "trawlfeeds: serving %d feeds x %d stories on %d hosts; ctrl+c stops\n", *feeds, *items, *hosts)
	<-ctx.Done()
	c := srv.Counts()
	fmt.Fprintf(stderr, "trawlfeeds: %d requests, %d full, %d not modified, %d bytes\n", c.Requests, c.Full, c.NotModified, c.Bytes)
	return nil
}
