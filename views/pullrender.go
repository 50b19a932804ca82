package views

import (
	"fmt"
	"strings"
	"time"

	"berth/engine/progress"
	"berth/themes"
	"berth/ui"
)

// layerView is what the UI knows of one layer of a pull.
type layerView struct {
	ID             string
	State          progress.State
	Current, Total int64
	Size           int64 // the blob's size, once known
	Err            error
	Speed          float64 // bytes per second while downloading, smoothed

	lastBytes int64
	lastTime  time.Time
}

// speedSmoothing is the weight of the newest sample in the moving average.
const speedSmoothing = 0.3

// apply updates l with u, the layer's latest state, and the download speed.
func (l *layerView) apply(u progress.Update) {
	if u.State == progress.Downloading {
		switch {
		case l.State != progress.Downloading || l.lastTime.IsZero():
			l.lastBytes, l.lastTime = u.Current, u.Time
		case u.Time.After(l.lastTime) && u.Current >= l.lastBytes:
			dt := u.Time.Sub(l.lastTime).Seconds()
			inst := float64(u.Current-l.lastBytes) / dt
			if l.Speed == 0 {
				l.Speed = inst
			} else {
				l.Speed = speedSmoothing*inst + (1-speedSmoothing)*l.Speed
			}
			l.lastBytes, l.lastTime = u.Current, u.Time
		}
	}
	if u.State != progress.Waiting && u.Total > l.Size && u.State != progress.Extracting {
		l.Size = u.Total
	}
	l.State, l.Current, l.Total, l.Err = u.State, u.Current, u.Total, u.Err
}

// Fraction is how far the layer is, 0..1: downloading counts for 80%,
// extracting for the rest, as downloading is what users wait for.
func (l *layerView) Fraction() float64 {
	ratio := func() float64 {
		if l.Total <= 0 {
			return 0
		}
		return min(float64(l.Current)/float64(l.Total), 1)
	}
	switch l.State {
	case progress.Downloading:
		return 0.8 * ratio()
	case progress.Verifying:
		return 0.8
	case progress.Extracting:
		return 0.8 + 0.2*ratio()
	case progress.AlreadyExists, progress.Done:
		return 1
	}
	return 0
}

// ETA is the time left for the download at the current speed; 0 if unknown.
func (l *layerView) ETA() time.Duration {
	if l.State != progress.Downloading || l.Speed <= 0 || l.Total <= 0 {
		return 0
	}
	left := float64(l.Total - l.Current)
	return time.Duration(left / l.Speed * float64(time.Second))
}

// hasBar reports whether the state has byte counts to draw.
func hasBar(s progress.State) bool { return s == progress.Downloading || s == progress.Extracting }

// humanSpeed is "85.2 MB/s"; "" when nothing is known.
func humanSpeed(bps float64) string {
	if bps <= 0 {
		return ""
	}
	return humanSize(int64(bps)) + "/s"
}

// humanETA is "ETA 3s", "ETA 1m30s", "ETA 2h5m"; "" when unknown.
func humanETA(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	d = d.Round(time.Second)
	if d < time.Second {
		d = time.Second
	}
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 99:
		return "ETA >99h"
	case h > 0:
		return fmt.Sprintf("ETA %dh%dm", h, m)
	case m > 0:
		return fmt.Sprintf("ETA %dm%02ds", m, s)
	}
	return fmt.Sprintf("ETA %ds", s)
}

// Widths of the fixed parts of a layer line.
const (
	layerIDWidth = 12
	bytesWidth   = 17 // "123 MB / 1.23 GB"
	speedWidth   = 10 // "85.2 MB/s"
	etaWidth     = 9  // "ETA 1m30s"
	minBarWidth  = 8
	maxBarWidth  = 50 // as Docker's; wider only pushes the numbers away
)

// layerLine draws one layer, exactly width cells:
//
//	a1b2c3d4e5f6 Downloading  ━━━━━━━━────── 12.3 MB / 40 MB  8.5 MB/s  ETA 3s
//
// stateW is the width of the state column, the widest state of the pull.
// Speed and ETA are left out when the line is too narrow for them.
func layerLine(st *themes.Styles, l *layerView, stateW, width int) string {
	id := ui.Fit(l.ID, layerIDWidth)
	word := l.State.String()
	stateStyle := st.Progress.Active
	switch {
	case l.State == progress.Failed:
		stateStyle = st.Progress.Failed
	case l.State.Final():
		stateStyle = st.Progress.Done
	case l.State == progress.Waiting:
		stateStyle = st.Progress.Waiting
	}

	if !hasBar(l.State) {
		text := word
		if l.State == progress.Failed && l.Err != nil {
			text += ": " + l.Err.Error()
		}
		rest := max(width-layerIDWidth-1, 0)
		return ui.Fit(st.Progress.LayerID.Render(id)+" "+stateStyle.Render(ui.Truncate(oneLine(text), rest)), width)
	}

	bytes := humanSize(l.Current)
	if l.Total > 0 {
		bytes += " / " + humanSize(l.Total)
	}
	speed, eta := "", ""
	if l.State == progress.Downloading {
		speed, eta = humanSpeed(l.Speed), humanETA(l.ETA())
	}
	// id, state, the spaces around the bar, bytes; then the speed and ETA
	// columns while the bar keeps at least minBarWidth cells. The columns
	// depend on the width only, so that the bars of a pull line up.
	fixed := layerIDWidth + 1 + stateW + 1 + 1 + bytesWidth
	tail := ""
	if fixed+speedWidth+1+minBarWidth <= width {
		fixed += speedWidth + 1
		tail += " " + ui.FitRight(speed, speedWidth)
		if fixed+etaWidth+1+minBarWidth <= width {
			fixed += etaWidth + 1
			tail += " " + ui.FitRight(eta, etaWidth)
		}
	}
	barW := min(width-fixed, maxBarWidth)
	if barW < minBarWidth { // too narrow even without speed: drop the bar
		barW = 0
	}
	frac := 0.0
	if l.Total > 0 {
		frac = float64(l.Current) / float64(l.Total)
	}
	line := st.Progress.LayerID.Render(id) + " " + stateStyle.Render(ui.Fit(word, stateW)) + " "
	if barW > 0 {
		line += ui.Bar(st, frac, barW) + " "
	}
	line += st.Text.Render(ui.FitRight(bytes, bytesWidth)) + st.Muted.Render(tail)
	return ui.Fit(line, width)
}

// stateWidth is the width of the widest state word among layers.
func stateWidth(layers []*layerView) int {
	w := len("Downloading")
	for _, l := range layers {
		if hasBar(l.State) {
			w = max(w, len(l.State.String()))
		}
	}
	return w
}

// oneLine joins the lines of s: error texts go on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
