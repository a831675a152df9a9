package loadgen

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"fortio.org/fortio/fhttp"

	"github.com/labctl/labctl/loadgen/classify"
)

// tally is what one connection measured during one interval.
type tally struct {
	lat       *histogram // from intended send time to response
	errLat    *histogram // same, for requests that did not get a 2xx
	svc       *histogram // from actual send time to response (service time)
	lateness  *histogram // actual minus intended send time (fixed rate only)
	codes     map[int]int64
	classes   map[string]int64
	sizes     int64
	late      int64 // sent more than lateAfter behind schedule
	timeouts  int64
	sockErrs  int64
	firstFail time.Time
}

func newTally() *tally {
	return &tally{
		lat: newHistogram(), errLat: newHistogram(), svc: newHistogram(), lateness: newHistogram(),
		codes: map[int]int64{}, classes: map[string]int64{},
	}
}

func (t *tally) reset() {
	t.lat.reset()
	t.errLat.reset()
	t.svc.reset()
	t.lateness.reset()
	clear(t.codes)
	clear(t.classes)
	t.sizes, t.late, t.timeouts, t.sockErrs = 0, 0, 0, 0
	t.firstFail = time.Time{}
}

func (t *tally) merge(o *tally) {
	t.lat.merge(o.lat)
	t.errLat.merge(o.errLat)
	t.svc.merge(o.svc)
	t.lateness.merge(o.lateness)
	for k, v := range o.codes {
		t.codes[k] += v
	}
	for k, v := range o.classes {
		t.classes[k] += v
	}
	t.sizes += o.sizes
	t.late += o.late
	t.timeouts += o.timeouts
	t.sockErrs += o.sockErrs
	if !o.firstFail.IsZero() && (t.firstFail.IsZero() || o.firstFail.Before(t.firstFail)) {
		t.firstFail = o.firstFail
	}
}

// worker owns one connection. Its tally is swapped out by the collector
// once per interval under mu (uncontended almost always).
type worker struct {
	mu      sync.Mutex
	cur     *tally
	spare   *tally
	closed  bool // results after close are dropped (run already reported)
	exited  bool
	sockets int64
	f       fetcher
	busy    atomic.Bool // a request is in flight
	_       [64]byte    // keep busy off the next worker's cache line
}

// schedule is shared by all workers of a run.
type schedule struct {
	start     time.Time
	end       time.Time // zero when the run is bounded by Requests
	perReq    float64   // ns between intended sends; 0 = max rate
	limit     int64     // 0 = no request limit
	next      atomic.Int64
	timeout   time.Duration
	lateAfter time.Duration
}

// slot returns the intended send time of the next request, or false when
// the run is over: its request count is used up, or its duration has passed
// (by the clock, even when requests run late, so a rate the target cannot
// take does not stretch the run), or the next intended time falls after it.
// Every request has its own intended time, spaced evenly. At max rate
// without a request limit no slot numbers are needed, which keeps the
// workers off a shared counter.
func (s *schedule) slot(now time.Time) (time.Time, bool) {
	if !s.end.IsZero() && !now.Before(s.end) {
		return time.Time{}, false
	}
	if s.perReq == 0 && s.limit == 0 {
		return now, true
	}
	i := s.next.Add(1) - 1
	if s.limit > 0 && i >= s.limit {
		return time.Time{}, false
	}
	t := now
	if s.perReq > 0 {
		t = s.start.Add(time.Duration(float64(i) * s.perReq))
	}
	if !s.end.IsZero() && !t.Before(s.end) {
		return time.Time{}, false
	}
	return t, true
}

// dispatch hands each slot of a fixed-rate run to the next idle worker as
// soon as the previous slot's request is sent, and closes slots when the run
// is over. The worker sleeps until just before its slot and sends it
// itself: the wake-up is then the only delay between the timer and the
// send, with no hand-over between goroutines after it, and only one worker
// sleeps at a time (sixteen each waiting for their own slot would spin
// against each other). A slot that finds every worker busy waits for the
// first to free up; its lateness then shows.
func (s *schedule) dispatch(ctx context.Context, p *pacer, slots chan<- time.Time) {
	defer close(slots)
	for p.awaitTurn(ctx) {
		intended, ok := s.slot(time.Now())
		if !ok {
			return
		}
		select {
		case slots <- intended:
		case <-ctx.Done():
			return
		}
	}
}

// run sends requests until the run is over: at max rate as fast as the
// connection allows, at a fixed rate one per slot from the dispatcher (p
// and slots are nil at max rate).
func (w *worker) run(ctx context.Context, s *schedule, p *pacer, slots <-chan time.Time, cls classify.Classifier) {
	defer w.finish()
	for {
		var intended time.Time
		ok := false
		if slots != nil {
			select {
			case intended, ok = <-slots:
			case <-ctx.Done():
			}
			ok = ok && p.sendAt(ctx, intended)
		} else {
			intended, ok = s.slot(time.Now())
		}
		if !ok || ctx.Err() != nil {
			return
		}
		sent := time.Now()
		w.busy.Store(true)
		code, size, header, body := w.f.fetch(ctx)
		end := time.Now()
		w.busy.Store(false)
		class, classified := "", cls != nil
		if classified {
			class = cls.Classify(code, header, body)
		}
		if !w.record(code, size, class, classified, intended, sent, end, s) {
			return
		}
	}
}

// busy counts the requests in flight.
func busy(workers []*worker) int64 {
	var n int64
	for _, w := range workers {
		if w.busy.Load() {
			n++
		}
	}
	return n
}

func (w *worker) record(code int, size int64, class string, classified bool, intended, sent, end time.Time, s *schedule) bool {
	lat, svc := end.Sub(intended), end.Sub(sent)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false
	}
	t := w.cur
	t.lat.record(lat)
	t.svc.record(svc)
	t.codes[code]++
	t.sizes += size
	if s.perReq > 0 {
		t.lateness.record(sent.Sub(intended))
		if sent.Sub(intended) > s.lateAfter {
			t.late++
		}
	}
	if classified {
		t.classes[class]++
	}
	if code < 200 || code > 299 {
		t.errLat.record(lat)
		if code == fhttp.SocketError {
			if svc >= s.timeout-s.timeout/50 {
				t.timeouts++
			} else {
				t.sockErrs++
			}
			if t.firstFail.IsZero() {
				t.firstFail = end
			}
		}
	}
	return true
}

func (w *worker) finish() {
	n := w.f.sockets()
	w.f.close()
	w.mu.Lock()
	w.exited = true
	w.sockets = n
	w.mu.Unlock()
}

// drain moves the worker's interval tally into into and starts a new one.
func (w *worker) drain(into *tally, closeAfter bool) {
	w.mu.Lock()
	t := w.cur
	w.cur, w.spare = w.spare, t
	if closeAfter {
		w.closed = true
	}
	w.mu.Unlock()
	into.merge(t)
	t.reset()
}
