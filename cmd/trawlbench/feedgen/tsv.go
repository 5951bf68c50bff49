package feedgen

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteTSV writes every story of the corpus as labelled data in the format
// `trawl eval` reads: a header line `labels<TAB>title<TAB>summary`, then
// one story a line, labels comma-separated or "none". It returns the
// number of stories written.
func WriteTSV(w io.Writer, c Corpus) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	if _, err := io.WriteString(bw, "labels\ttitle\tsummary\n"); err != nil {
		return 0, fmt.Errorf("write tsv: %w", err)
	}
	n := 0
	var werr error
	c.Each(func(s Story) {
		if werr != nil {
			return
		}
		labels := "none"
		if l := s.Kind.Labels(); len(l) > 0 {
			labels = strings.Join(l, ",")
		}
		_, werr = fmt.Fprintf(bw, "%s\t%s\t%s\n", labels, tsvField(s.Title), tsvField(s.Summary))
		n++
	})
	if werr != nil {
		return n, fmt.Errorf("write tsv: %w", werr)
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("write tsv: %w", err)
	}
	return n, nil
}

// tsvField keeps a field on one line and in one column. Generated text has
// neither tabs nor newlines; this is a guard, not a format.
func tsvField(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}
