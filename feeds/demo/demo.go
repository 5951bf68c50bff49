// Package demo serves trawl's bundled sample outlets on a loopback HTTP
// server, so `trawl demo` exercises the real fetch, parse, classify and
// store path with no network.
//
// The feeds are text/templates whose dates are ages ("3h20m" before now),
// rendered when the server starts, so the stories always look fresh.
package demo

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"net"
	"net/http"
	"path"
	"strings"
	"text/template"
	"time"

	"github.com/trawl-news/trawl/feeds"
)

//go:embed data/*.xml data/*.json data/outlets.txt
var data embed.FS

// Outlet is one bundled feed.
type Outlet struct {
	File  string
	Title string
}

// Outlets lists the bundled feeds in the order of outlets.txt.
func Outlets() ([]Outlet, error) {
	raw, err := data.ReadFile("data/outlets.txt")
	if err != nil {
		return nil, fmt.Errorf("demo outlets: %w", err)
	}
	var out []Outlet
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		file, title, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		out = append(out, Outlet{File: strings.TrimSpace(file), Title: strings.TrimSpace(title)})
	}
	return out, nil
}

// Render returns one bundled feed with its dates measured back from now and
// its self links pointing at base.
func Render(file, base string, now time.Time) ([]byte, error) {
	raw, err := data.ReadFile(path.Join("data", file))
	if err != nil {
		return nil, fmt.Errorf("demo feed %s: %w", file, err)
	}
	ageFunc := func(layout string) func(string) (string, error) {
		return func(age string) (string, error) {
			d, err := time.ParseDuration(age)
			if err != nil {
				return "", fmt.Errorf("demo feed %s: bad age %q: %w", file, age, err)
			}
			return now.Add(-d).UTC().Format(layout), nil
		}
	}
	tmpl, err := template.New(file).Funcs(template.FuncMap{
		"rfc1123z": ageFunc(time.RFC1123Z),
		"rfc3339":  ageFunc(time.RFC3339),
	}).Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("demo feed %s: %w", file, err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, struct{ Base string }{base}); err != nil {
		return nil, fmt.Errorf("demo feed %s: %w", file, err)
	}
	return b.Bytes(), nil
}

// Server serves the bundled feeds on 127.0.0.1.
type Server struct {
	srv      *http.Server
	ln       net.Listener
	base     string
	rendered map[string][]byte
	outlets  []Outlet
	stamp    time.Time
}

// Start renders every feed against now and serves them on a free loopback
// port until Close.
func Start(now time.Time) (*Server, error) {
	outlets, err := Outlets()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo server: %w", err)
	}
	s := &Server{ln: ln, base: "http://" + ln.Addr().String(), rendered: map[string][]byte{}, outlets: outlets, stamp: now}
	for _, o := range outlets {
		body, err := Render(o.File, s.base, now)
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.rendered[o.File] = body
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// ServeHTTP serves a rendered feed, with validators so that a second
// refresh gets a 304 as it would from a real outlet.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	file := strings.TrimPrefix(r.URL.Path, "/")
	body, ok := s.rendered[file]
	if !ok {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%s-%d"`, file, s.stamp.Unix())
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	switch {
	case strings.HasSuffix(file, ".json"):
		w.Header().Set("Content-Type", "application/feed+json")
	case strings.HasSuffix(file, ".atom.xml"):
		w.Header().Set("Content-Type", "application/atom+xml")
	default:
		w.Header().Set("Content-Type", "application/rss+xml")
	}
	w.Write(body)
}

// Subscriptions returns a subscription for every bundled feed.
func (s *Server) Subscriptions() []feeds.Subscription {
	out := make([]feeds.Subscription, len(s.outlets))
	for i, o := range s.outlets {
		out[i] = feeds.Subscription{URL: s.base + "/" + o.File, Title: o.Title}
	}
	return out
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }
