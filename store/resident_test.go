package store

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// TestReleaseAlongsideWrites: readers that give back the map (Scan, Page)
// run while a refresh writes and the user changes state, in the same
// process. Every read sees whole, correct stories, and the cache checks
// clean afterwards.
func TestReleaseAlongsideWrites(t *testing.T) {
	c := &clock{testNow}
	db := openTest(t, c)
	batches := corpus(11, 16, 120, 4)
	if err := db.SaveFetched(batches[0]); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	errs := make(chan error, 3)
	var scans, pages atomic.Int64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // the search index
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			titles := map[int]bool{}
			n := 0
			err := db.Scan(func(b *Brief) (int, error) {
				if len(b.ID) != 16 || len(b.Feeds) == 0 || len(b.Outlet) == 0 {
					return 0, errors.New("scan: a story's meta came back damaged")
				}
				n++
				return n, nil
			}, func(i int, title, summary []byte) error {
				if len(title) == 0 || len(summary) == 0 || titles[i] {
					return errors.New("scan: a story's text came back damaged or twice")
				}
				titles[i] = true
				return nil
			})
			if err == nil && len(titles) != n {
				err = errors.New("scan: texts and stories differ in number")
			}
			if err != nil {
				errs <- err
				return
			}
			scans.Add(1)
		}
	}()
	go func() { // the story list, scrolling
		defer wg.Done()
		var after Cursor
		for {
			select {
			case <-done:
				return
			default:
			}
			page, next, err := db.Page(All, after, 100)
			for _, s := range page {
				if s.Title == "" || s.Summary == "" {
					err = errors.New("page: a story came back without its text")
				}
			}
			if err != nil {
				errs <- err
				return
			}
			after = next
			pages.Add(1)
		}
	}()
	for _, b := range batches[1:] {
		if err := db.SaveFetched(b); err != nil {
			t.Fatal(err)
		}
		for _, it := range b[0].Items[:20] {
			if err := db.SetStarred(it.ID, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if scans.Load() == 0 || pages.Load() == 0 {
		t.Fatalf("the readers did not overlap the writes: %d scans, %d pages", scans.Load(), pages.Load())
	}
	mustCheck(t, db)
}
