// Package pace sets the pace of bubbletea's renderer: a frame at once after a
// key, at most 120 a second while other things change, and about none while
// nothing does.
//
// bubbletea v2 writes frames from a ticker that runs at a fixed rate for as
// long as the program runs, whether or not anything changed: at 120 a second
// berth idle with 100 containers took 1.73-1.87 % of a core, 0.53-0.60 %
// paced (bench/tui-idle.sh), and at a lower fixed rate a typed key waits
// longer for its echo (bench/terminal.sh). The
// program offers no way to change the rate or to draw now, so the pacer
// resets that ticker: a short period for a few milliseconds after a key, the
// frame rate while other updates come, and a long period once they stop. Every
// update of the model kicks it; the model is wrapped by Model.
package pace

import (
	"reflect"
	"sync"
	"time"
	"unsafe"

	tea "charm.land/bubbletea/v2"
)

// Periods of the renderer's ticker.
const (
	// Burst is the period for a few milliseconds after a key: the frame
	// that answers it is written about 1 ms after the update that drew it,
	// instead of up to one frame later.
	Burst = time.Millisecond
	// BurstFor is how long a burst lasts: long enough for a shell's echo of
	// the key to come back and be drawn.
	BurstFor = 8 * time.Millisecond
	// Frame is the period while updates keep coming: bubbletea's most, 120
	// frames a second, which coalesces a flood of output.
	Frame = time.Second / 120
	// RestAfter is how long after the last update the ticker slows down:
	// by then every update's frame has been written.
	RestAfter = 100 * time.Millisecond
	// Rest is the period while nothing changes. Nothing needs it, it is a
	// safety net only.
	Rest = time.Second
)

// Ticker is what the pacer changes: the renderer's *time.Ticker.
type Ticker interface {
	Reset(d time.Duration)
}

type state int

const (
	resting state = iota
	bursting
	framing
)

// Pacer drives one program's ticker. Kick is called from the program's
// event loop; the pacer's own timer changes the period back.
type Pacer struct {
	find      func() Ticker // the ticker, found once the program runs
	now       func() time.Time
	afterFunc func(d time.Duration, f func()) timer // time.AfterFunc

	mu      sync.Mutex
	ticker  Ticker
	state   state
	last    time.Time // the last kick
	timer   timer
	stopped bool
}

// timer is the part of *time.Timer the pacer uses.
type timer interface {
	Reset(d time.Duration) bool
	Stop() bool
}

// New makes a pacer. Wrap the program's model with Model before giving it
// to tea.NewProgram, then name the program with Attach.
func New() *Pacer {
	return &Pacer{now: time.Now, afterFunc: func(d time.Duration, f func()) timer { return time.AfterFunc(d, f) }}
}

// Attach names the program whose renderer is paced. Without it, or when
// the program's ticker cannot be found (a bubbletea that changed), the
// pacer does nothing and the program draws at its own fixed rate.
func (p *Pacer) Attach(prog *tea.Program) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.find = func() Ticker {
		if t := TickerOf(prog); t != nil {
			return t
		}
		return nil // not a nil *time.Ticker in a non-nil Ticker
	}
}

// TickerOf is the renderer's ticker of a running program, or nil when
// bubbletea keeps it elsewhere than in its Program's field "ticker". It is
// set when the program starts, so call it from the event loop (an Update).
func TickerOf(prog *tea.Program) *time.Ticker {
	if prog == nil {
		return nil
	}
	f := reflect.ValueOf(prog).Elem().FieldByName("ticker")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*time.Ticker]() {
		return nil
	}
	return *(**time.Ticker)(unsafe.Pointer(f.UnsafeAddr()))
}

// Kick says the model was just updated. input is true for a key, a mouse
// event or a paste: its frame is written at once (a burst), whatever the
// pace. Other updates (output, loads, ticks) are drawn at the frame rate,
// so that those that come together are drawn together: at start-up a
// frame of 200x60 costs the renderer milliseconds, and drawing each load's
// frame on its own delayed the first full one.
func (p *Pacer) Kick(input bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	if p.ticker == nil {
		if p.find == nil {
			return
		}
		if p.ticker = p.find(); p.ticker == nil {
			p.find = nil // not this bubbletea: leave it at its fixed rate
			return
		}
	}
	p.last = p.now()
	switch {
	case input && p.state != bursting:
		p.state = bursting
		p.ticker.Reset(Burst)
		p.arm(BurstFor)
	case p.state == resting:
		p.state = framing
		p.ticker.Reset(Frame)
		p.arm(RestAfter)
	}
}

// arm runs step after d. Called with mu held.
func (p *Pacer) arm(d time.Duration) {
	if p.timer == nil {
		p.timer = p.afterFunc(d, p.step)
		return
	}
	p.timer.Reset(d)
}

// step ends a burst, or rests once no kick came for RestAfter.
func (p *Pacer) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	switch p.state {
	case bursting:
		p.state = framing
		p.ticker.Reset(Frame)
		p.arm(RestAfter)
	case framing:
		if idle := p.now().Sub(p.last); idle < RestAfter {
			p.arm(RestAfter - idle)
			return
		}
		p.state = resting
		p.ticker.Reset(Rest)
	}
}

// Stop ends the pacing when the program has ended.
func (p *Pacer) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	if p.timer != nil {
		p.timer.Stop()
	}
}

// Model wraps m so that every update kicks p.
func (p *Pacer) Model(m tea.Model) tea.Model {
	return paced{Model: m, p: p}
}

type paced struct {
	tea.Model
	p *Pacer
}

func (m paced) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := m.Model.Update(msg)
	switch msg.(type) {
	case tea.KeyPressMsg, tea.MouseMsg, tea.PasteMsg:
		m.p.Kick(true)
	default:
		m.p.Kick(false)
	}
	return paced{Model: next, p: m.p}, cmd
}
