package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"berth/engine/progress"
	"berth/internal/units"
)

// progressPrinter draws a pull's progress stream. On a terminal it keeps one
// live line per layer (redrawn 10 times a second); elsewhere it prints a
// plain line each time a layer changes state.
type progressPrinter struct {
	w     io.Writer
	live  bool
	width int

	mu     sync.Mutex
	order  []string
	layers map[string]*layerLine
	drawn  int // lines of bars on screen below the messages
	stop   chan struct{}
	done   chan struct{}
}

// layerLine is what is known of one layer.
type layerLine struct {
	u     progress.Update
	start time.Time // first Downloading/Extracting update
}

func newProgressPrinter(w io.Writer, live bool, width int) *progressPrinter {
	p := &progressPrinter{w: w, live: live, width: width, layers: map[string]*layerLine{},
		stop: make(chan struct{}), done: make(chan struct{})}
	if live {
		go p.tick()
	} else {
		close(p.done)
	}
	return p
}

// Update takes one update of the stream (from any goroutine).
func (p *progressPrinter) Update(u progress.Update) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u.ID == "" {
		p.clearBars()
		if p.allFinal() {
			// The layers are done: leave their lines where they are, so
			// that the closing messages follow them, as with docker.
			p.drawBars()
			p.order, p.drawn = nil, 0
		}
		fmt.Fprintln(p.w, u.Message)
		p.drawBars()
		return
	}
	l, ok := p.layers[u.ID]
	if !ok {
		l = &layerLine{}
		p.layers[u.ID] = l
		p.order = append(p.order, u.ID)
	}
	changed := !ok || l.u.State != u.State
	if (u.State == progress.Downloading || u.State == progress.Extracting) && (changed || l.start.IsZero()) {
		l.start = u.Time
	}
	l.u = u
	if !p.live && changed {
		fmt.Fprintln(p.w, plainLine(u))
	}
}

// allFinal reports whether every layer on screen has reached its last state.
func (p *progressPrinter) allFinal() bool {
	for _, id := range p.order {
		if !p.layers[id].u.State.Final() {
			return false
		}
	}
	return true
}

func (p *progressPrinter) tick() {
	defer close(p.done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			p.mu.Lock()
			p.clearBars()
			p.drawBars()
			p.mu.Unlock()
			return
		case <-t.C:
			p.mu.Lock()
			p.clearBars()
			p.drawBars()
			p.mu.Unlock()
		}
	}
}

// Close draws the final state and stops redrawing.
func (p *progressPrinter) Close() {
	if p.live {
		close(p.stop)
	}
	<-p.done
}

// clearBars moves the cursor back over the bars and erases them.
func (p *progressPrinter) clearBars() {
	if p.live && p.drawn > 0 {
		fmt.Fprintf(p.w, "\x1b[%dA\x1b[J", p.drawn)
		p.drawn = 0
	}
}

func (p *progressPrinter) drawBars() {
	if !p.live {
		return
	}
	var b strings.Builder
	for _, id := range p.order {
		b.WriteString(fitWidth(barLine(p.layers[id], p.width), p.width-1))
		b.WriteByte('\n')
	}
	io.WriteString(p.w, b.String())
	p.drawn = len(p.order)
}

func fitWidth(s string, w int) string {
	if w > 0 && len(s) > w {
		return s[:w]
	}
	return s
}

// plainLine is the line printed when output is not a terminal.
func plainLine(u progress.Update) string {
	if u.State == progress.Failed && u.Err != nil {
		return fmt.Sprintf("%s: %s: %v", u.ID, u.State, u.Err)
	}
	return fmt.Sprintf("%s: %s", u.ID, u.State)
}

// barLine is one live line: id, state, bar, sizes, speed and ETA.
func barLine(l *layerLine, width int) string {
	u := l.u
	if u.State != progress.Downloading && u.State != progress.Extracting {
		return plainLine(u)
	}
	barW := 30
	if width < 100 {
		barW = 20
	}
	filled := 0
	if u.Total > 0 {
		filled = int(float64(barW) * float64(u.Current) / float64(u.Total))
		filled = min(filled, barW)
	}
	bar := strings.Repeat("=", filled)
	if filled < barW {
		bar += ">" + strings.Repeat(" ", barW-filled-1)
	}
	line := fmt.Sprintf("%s: %-11s [%s] %8s/%-8s", u.ID, u.State, bar,
		units.HumanSize(u.Current), units.HumanSize(u.Total))
	if secs := u.Time.Sub(l.start).Seconds(); secs > 0.2 && u.Current > 0 {
		rate := float64(u.Current) / secs
		line += fmt.Sprintf(" %8s/s", units.HumanSize(int64(rate)))
		if u.Total > u.Current {
			eta := time.Duration(float64(u.Total-u.Current) / rate * float64(time.Second))
			line += " ETA " + eta.Round(time.Second).String()
		}
	}
	return line
}
