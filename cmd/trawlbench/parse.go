package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// fetchSummary is what `trawl fetch` says on its summary line:
// "fetched 200 feeds, 0 not modified, 0 failed, 10000 new stories".
type fetchSummary struct {
	Fetched, NotModified, Failed, Skipped, New int
}

var (
	fetchedRe  = regexp.MustCompile(`\bfetched (\d+) feeds?\b`)
	fetchPart  = regexp.MustCompile(`\b(\d+) (not modified|failed|skipped|new stor(?:y|ies))\b`)
	unreadRe   = regexp.MustCompile(`(?m)^\s*(\d+) unread articles?\b`)
	evalLineRe = regexp.MustCompile(`^(\S+)\s+(.*)$`)
	linkRe     = regexp.MustCompile(`https?://[^\s<>()\[\]"'` + "`" + `]+`)
)

// parseFetchSummary finds the summary line in fetch's stdout. The line's
// parts are read by name, so their order may change.
func parseFetchSummary(out string) (fetchSummary, error) {
	for line := range strings.SplitSeq(out, "\n") {
		m := fetchedRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var s fetchSummary
		s.Fetched, _ = strconv.Atoi(m[1])
		for _, p := range fetchPart.FindAllStringSubmatch(line, -1) {
			n, _ := strconv.Atoi(p[1])
			switch {
			case p[2] == "not modified":
				s.NotModified = n
			case p[2] == "failed":
				s.Failed = n
			case p[2] == "skipped":
				s.Skipped = n
			default:
				s.New = n
			}
		}
		return s, nil
	}
	return fetchSummary{}, fmt.Errorf("no summary line (\"fetched N feeds, ...\") in fetch output %q", clip(out))
}

// parseUnread reads `newsboat -x print-unread`: "100000 unread articles".
func parseUnread(out string) (int, error) {
	m := unreadRe.FindStringSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no \"N unread articles\" in newsboat output %q", clip(out))
	}
	return strconv.Atoi(m[1])
}

// evalScore is one line of `trawl eval`:
// "training-data precision=0.91 recall=0.88 f1=0.89 tp=10 fp=1 fn=2".
type evalScore struct {
	Tag                   string
	Precision, Recall, F1 float64
	TP, FP, FN            int
}

// parseEval reads every score line of eval's output, keyed by tag. Lines
// that are not scores (headers, notes) are skipped.
func parseEval(out string) (map[string]evalScore, error) {
	scores := map[string]evalScore{}
	for line := range strings.SplitSeq(out, "\n") {
		m := evalLineRe.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		fields := map[string]string{}
		for _, kv := range strings.Fields(m[2]) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				fields[k] = v
			}
		}
		s := evalScore{Tag: m[1]}
		var err error
		if s.Precision, err = floatField(fields, "precision"); err != nil {
			continue
		}
		if s.Recall, err = floatField(fields, "recall"); err != nil {
			return nil, fmt.Errorf("eval line %q: %w", line, err)
		}
		if s.F1, err = floatField(fields, "f1"); err != nil {
			return nil, fmt.Errorf("eval line %q: %w", line, err)
		}
		for name, dst := range map[string]*int{"tp": &s.TP, "fp": &s.FP, "fn": &s.FN} {
			v, ok := fields[name]
			if !ok {
				return nil, fmt.Errorf("eval line %q: no %s=", line, name)
			}
			if *dst, err = strconv.Atoi(v); err != nil {
				return nil, fmt.Errorf("eval line %q: %s=%q is not a count", line, name, v)
			}
		}
		scores[s.Tag] = s
	}
	if len(scores) == 0 {
		return nil, fmt.Errorf("no score lines (\"TAG precision=P recall=R f1=F tp=.. fp=.. fn=..\") in eval output %q", clip(out))
	}
	return scores, nil
}

func floatField(fields map[string]string, name string) (float64, error) {
	v, ok := fields[name]
	if !ok {
		return 0, fmt.Errorf("no %s=", name)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a number", name, v)
	}
	return f, nil
}

// countLinks returns how many of want appear as links in text: the check
// that an export holds every starred story, whatever its layout.
func countLinks(text string, want map[string]bool) int {
	seen := map[string]bool{}
	for _, l := range linkRe.FindAllString(text, -1) {
		// Markdown may end a link with punctuation that is not part of it.
		l = strings.TrimRight(l, ".,;:!?")
		if want[l] {
			seen[l] = true
		}
	}
	return len(seen)
}

// clip shortens program output quoted in an error.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 160 {
		return string(r[:160]) + "…"
	}
	return s
}
