package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/trawl-news/trawl/cmd/trawlbench/feedgen"
	"github.com/trawl-news/trawl/cmd/trawlbench/stats"
)

// classify: `trawl eval` over every story of the big corpus as labelled
// TSV. The time is the whole command: start-up, reading the file,
// classifying each story's title and summary, scoring. So stories/s is a
// lower bound on the classifier's own speed. newsboat has no classifier.
func (b *bench) classify(ctx context.Context) ([]row, error) {
	corpus := b.corpus(b.opts.largeItems)
	path := b.workdir("classify.tsv")
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("labelled data: %w", err)
	}
	count, err := feedgen.WriteTSV(f, corpus)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	positives := map[string]int{}
	corpus.Each(func(s feedgen.Story) {
		for _, l := range s.Kind.Labels() {
			positives[l]++
		}
	})
	ws, err := newTrawlSpace(b.workdir("classify"), nil, b.trawlConfig)
	if err != nil {
		return nil, err
	}
	var n notes
	tr := newSeries()
	for run := range b.opts.runs {
		res, err := b.trawl.run(ctx, ws, "eval", path)
		if err != nil {
			tr.fail(&n, err)
			break
		}
		tr.add(res, res.Wall)
		b.sample("classify", "trawl", run, res.Wall)
		scores, err := parseEval(string(res.Stdout))
		if err != nil {
			n.add("%s", err)
			continue
		}
		var f1s []string
		for _, tag := range []string{feedgen.TagTrainingData, feedgen.TagAPIPricing} {
			s, ok := scores[tag]
			if !ok {
				n.add("eval printed no line for %s", tag)
				continue
			}
			if s.TP+s.FN != positives[tag] {
				n.add("eval counted %d %s stories (tp+fn), the file labels %d", s.TP+s.FN, tag, positives[tag])
			}
			f1s = append(f1s, fmt.Sprintf("%s F1 %.3f (precision %.3f, recall %.3f)", tag, s.F1, s.Precision, s.Recall))
		}
		if len(f1s) > 0 {
			n.add("accuracy on the generated stories: %s", strings.Join(f1s, "; "))
		}
	}
	err = b.profileUnlessFailed(ctx, tr, "classify", func(t trawlTool) error {
		_, err := t.run(ctx, ws, "eval", path)
		return err
	})
	if err != nil {
		n.add("%s", err)
	}
	if !tr.failed {
		tr.time.extra = thousandsRate(float64(count)/tr.time.median()) + " stories/s"
		tr.cpu.extra = thousandsRate(float64(count)/tr.cpu.median()) + " stories/CPU-s"
	}
	none := cell{note: "no equivalent"}
	return []row{{
		id:       "classify",
		label:    fmt.Sprintf("classify %s stories (trawl eval, whole command)", thousands(count)),
		trawl:    tr.time,
		trawlCPU: tr.cpu,
		newsboat: []cell{none, none},
		// DESIGN asks for over 100k stories/s on one core.
		target:   target{max: float64(count) / 100000, unit: stats.Seconds},
		problems: n,
	}}, nil
}

// thousandsRate renders a rate like 161234.5 as "161k".
func thousandsRate(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.0fk", v/1000)
	}
	return fmt.Sprintf("%.0f", v)
}
