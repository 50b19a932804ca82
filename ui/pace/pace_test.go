package pace

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// fakeTicker records the periods it is given.
type fakeTicker struct {
	mu      sync.Mutex
	periods []time.Duration
}

func (f *fakeTicker) Reset(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.periods = append(f.periods, d)
}

func (f *fakeTicker) got() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.periods...)
}

// fakeTimer is the pacer's timer, fired by the test on the fake clock.
type fakeTimer struct {
	c     *clock
	d     time.Duration // as armed
	due   time.Time
	armed bool
	f     func()
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	t.d, t.due, t.armed = d, t.c.now.Add(d), true
	return true
}
func (t *fakeTimer) Stop() bool { was := t.armed; t.armed = false; return was }

// clock is a pacer on a fake ticker, a fake timer and a fake clock.
type clock struct {
	t     *testing.T
	p     *Pacer
	tick  *fakeTicker
	timer *fakeTimer
	now   time.Time
}

func newClock(t *testing.T) *clock {
	c := &clock{t: t, tick: &fakeTicker{}, now: time.Unix(1e9, 0)}
	c.timer = &fakeTimer{c: c}
	c.p = New()
	c.p.find = func() Ticker { return c.tick }
	c.p.now = func() time.Time { return c.now }
	c.p.afterFunc = func(d time.Duration, f func()) timer {
		c.timer.f = f
		c.timer.Reset(d)
		return c.timer
	}
	return c
}

// pass lets d go by, running the timer when it comes due.
func (c *clock) pass(d time.Duration) {
	c.t.Helper()
	c.now = c.now.Add(d)
	for c.timer.armed && !c.now.Before(c.timer.due) {
		c.timer.armed = false
		c.timer.f() // may arm it again
	}
}

func (c *clock) want(want ...time.Duration) {
	c.t.Helper()
	got := c.tick.got()
	if len(got) != len(want) {
		c.t.Fatalf("periods %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			c.t.Fatalf("periods %v, want %v", got, want)
		}
	}
}

func TestAKeyBurstsThenFramesThenRests(t *testing.T) {
	c := newClock(t)
	c.p.Kick(true) // a key after a rest: its frame at once
	c.want(Burst)
	c.pass(BurstFor)
	c.want(Burst, Frame)
	c.pass(RestAfter)
	c.want(Burst, Frame, Rest)
}

func TestOtherUpdatesFrameThenRest(t *testing.T) {
	c := newClock(t)
	c.p.Kick(false) // a load after a rest: drawn with what comes with it
	c.want(Frame)
	c.pass(RestAfter)
	c.want(Frame, Rest)
}

func TestUpdatesKeepTheFrameRateUntilTheyStop(t *testing.T) {
	c := newClock(t)
	c.p.Kick(true)
	c.pass(BurstFor)
	for range 10 { // output streams in, every 40 ms: no burst, no rest
		c.pass(40 * time.Millisecond)
		c.p.Kick(false)
	}
	c.want(Burst, Frame)
	c.pass(RestAfter)
	c.want(Burst, Frame, Rest)
}

func TestARestWaitsForTheLastUpdate(t *testing.T) {
	c := newClock(t)
	c.p.Kick(false)
	c.pass(RestAfter - time.Millisecond)
	c.p.Kick(false) // just before the timer: the rest moves on
	c.pass(time.Millisecond)
	c.want(Frame)
	c.pass(RestAfter - 2*time.Millisecond)
	c.want(Frame)
	c.pass(time.Millisecond)
	c.want(Frame, Rest)
}

func TestAKeyBurstsWhileFraming(t *testing.T) {
	c := newClock(t)
	c.p.Kick(false)
	c.p.Kick(true)
	c.want(Frame, Burst)
	c.p.Kick(true) // another key within the burst: no new one
	c.want(Frame, Burst)
	c.pass(BurstFor)
	c.pass(RestAfter)
	c.want(Frame, Burst, Frame, Rest)
}

func TestStoppedPacerLeavesTheTickerAlone(t *testing.T) {
	c := newClock(t)
	c.p.Kick(true)
	c.p.Stop()
	c.p.Kick(true)
	c.timer.Reset(0) // a timer that fires anyway
	c.pass(time.Hour)
	c.want(Burst)
}

// With real timers: a key's burst ends in a rest on its own.
func TestRealTimersRest(t *testing.T) {
	f := &fakeTicker{}
	p := New()
	p.find = func() Ticker { return f }
	defer p.Stop()
	p.Kick(true)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if got := f.got(); len(got) == 3 && got[2] == Rest {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("periods %v, want %v %v %v", f.got(), Burst, Frame, Rest)
}

// probe is a model that quits on probeMsg.
type probe struct{}

type probeMsg struct{}

func (m probe) Init() tea.Cmd { return nil }
func (m probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(probeMsg); ok {
		return m, tea.Quit
	}
	return m, nil
}
func (m probe) View() tea.View { return tea.NewView("probe") }

// TestFindsTheTickerOfARunningProgram fails when a bubbletea upgrade moves
// the renderer's ticker: the pacer would then quietly do nothing.
func TestFindsTheTickerOfARunningProgram(t *testing.T) {
	p := New()
	var out bytes.Buffer
	prog := tea.NewProgram(p.Model(probe{}), tea.WithInput(strings.NewReader("")),
		tea.WithOutput(&out), tea.WithoutSignals())
	p.Attach(prog)
	go func() {
		time.Sleep(50 * time.Millisecond)
		prog.Send(probeMsg{})
	}()
	if _, err := prog.Run(); err != nil {
		t.Fatal(err)
	}
	p.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ticker == nil {
		t.Fatal("the pacer did not find the renderer's ticker in tea.Program: bubbletea changed, see TickerOf")
	}
	if _, ok := p.ticker.(*time.Ticker); !ok {
		t.Fatalf("the pacer's ticker is %T, want *time.Ticker", p.ticker)
	}
}
