package tui

import "sync"

// writeQueue makes the store writes happen in the order their keys were
// pressed. Each command runs in a goroutine of its own, so without it "s"
// then "x" pressed quickly could reach the cache, and the undo history, in
// either order.
type writeQueue struct {
	mu      sync.Mutex
	cond    *sync.Cond
	next    uint64 // the next ticket to hand out
	turn    uint64 // the ticket whose write may run now
	pending int    // tickets handed out whose result has not come back
}

func newWriteQueue() *writeQueue {
	q := &writeQueue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// ticket reserves the next place in line. It is called from Update, in
// key order.
func (q *writeQueue) ticket() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	t := q.next
	q.next++
	q.pending++
	return t
}

// do runs write when ticket t's turn comes, then lets the next one go.
func (q *writeQueue) do(t uint64, write func()) {
	q.mu.Lock()
	for q.turn != t {
		q.cond.Wait()
	}
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.turn++
		q.cond.Broadcast()
		q.mu.Unlock()
	}()
	write()
}

// done records that a ticket's result reached Update.
func (q *writeQueue) done() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pending--
}

// busy reports whether a write's result is still to come.
func (q *writeQueue) busy() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pending > 0
}
