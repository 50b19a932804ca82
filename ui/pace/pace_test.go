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

// waitFor polls until the ticker was given want, or fails.
func waitFor(t *testing.T, f *fakeTicker, want []time.Duration) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if equal(f.got(), want) {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("periods %v, want %v", f.got(), want)
}

func equal(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func newFake() (*Pacer, *fakeTicker) {
	f := &fakeTicker{}
	p := New()
	p.find = func() Ticker { return f }
	return p, f
}

func TestAKeyBurstsThenFramesThenRests(t *testing.T) {
	p, f := newFake()
	defer p.Stop()
	p.Kick(true) // a key after a rest: its frame at once
	waitFor(t, f, []time.Duration{Burst, Frame, Rest})
}

func TestOtherUpdatesFrameThenRest(t *testing.T) {
	p, f := newFake()
	defer p.Stop()
	p.Kick(false) // a load after a rest: drawn with what comes with it
	waitFor(t, f, []time.Duration{Frame, Rest})
}

func TestUpdatesKeepTheFrameRateUntilTheyStop(t *testing.T) {
	p, f := newFake()
	defer p.Stop()
	p.Kick(true)
	waitFor(t, f, []time.Duration{Burst, Frame})
	start := time.Now()
	for time.Since(start) < 3*RestAfter {
		p.Kick(false) // output streams in: no bursts, no rest
		time.Sleep(RestAfter / 10)
	}
	if got := f.got(); !equal(got, []time.Duration{Burst, Frame}) {
		t.Fatalf("while updates came: periods %v, want only %v then %v", got, Burst, Frame)
	}
	waitFor(t, f, []time.Duration{Burst, Frame, Rest})
}

func TestAKeyBurstsWhileFraming(t *testing.T) {
	p, f := newFake()
	defer p.Stop()
	p.Kick(false)
	waitFor(t, f, []time.Duration{Frame})
	p.Kick(true)
	waitFor(t, f, []time.Duration{Frame, Burst, Frame, Rest})
}

func TestStoppedPacerLeavesTheTickerAlone(t *testing.T) {
	p, f := newFake()
	p.Kick(true)
	p.Stop()
	p.Kick(true)
	time.Sleep(BurstFor + RestAfter + 50*time.Millisecond)
	if got := f.got(); !equal(got, []time.Duration{Burst}) {
		t.Fatalf("after Stop: periods %v, want only the first %v", got, Burst)
	}
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
