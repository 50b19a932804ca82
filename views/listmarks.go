package views

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/ui"
)

// Marks: space marks rows for a bulk action, esc clears the marks. A
// binding with a bulk handler acts on the marked rows (those the filter
// shows) instead of the selected one, after one confirmation, and says in
// one status line how it went.

// toggleMark marks or unmarks the selected row and moves down a row.
func (p *listPane[R]) toggleMark() tea.Cmd {
	i := p.table.Cursor()
	if i < 0 || i >= len(p.keys) {
		return nil
	}
	k := p.keys[i]
	if p.marks[k] {
		delete(p.marks, k)
	} else {
		p.marks[k] = true
	}
	p.apply()
	p.table.Move(1)
	return nil
}

// clearMarks drops every mark; it reports whether there were any.
func (p *listPane[R]) clearMarks() bool {
	if len(p.marks) == 0 {
		return false
	}
	clear(p.marks)
	p.apply()
	return true
}

// marked are the marked rows the table shows, in its order.
func (p *listPane[R]) marked() []R {
	if len(p.marks) == 0 {
		return nil
	}
	var out []R
	for i, k := range p.keys {
		if p.marks[k] && i < len(p.shown) {
			out = append(out, p.shown[i])
		}
	}
	return out
}

// markBinding is space: mark the selected row.
func (p *listPane[R]) markBinding(group int) *binding[R] {
	b := &binding[R]{Binding: ui.Bind("space", "mark (bulk actions)", "space").WithID("mark"),
		group: group, onRow: true, do: func(R) tea.Cmd { return p.toggleMark() }}
	// One cell wide, so that the help's columns fit 80 columns.
	b.helpKey, b.helpDesc = "␣", "mark for bulk"
	return b
}

// bulkDoneMsg says a bulk action of a pane returned.
type bulkDoneMsg[R any] struct {
	Text string // the summary when all went well: "Removed 3 images"
	Err  error  // what failed, joined, with how many did not
}

// bulk asks once before call runs on each of rows, then runs them in one
// command; done is the past of the verb ("Removed"), name names a row.
func (p *listPane[R]) bulk(title, verb, done string, rows []R, name func(R) string,
	call func(ctx context.Context, eng Engine, r R) error) tea.Cmd {
	st := p.env.Styles
	p.confirm(title, verb+" "+plural(len(rows), p.spec.noun)+": "+st.Dialog.Danger.Render(nameList(rows, name))+"?",
		p.runBulk(done, rows, name, call))
	return nil
}

// runBulk is the command that runs call on every row, in order.
func (p *listPane[R]) runBulk(done string, rows []R, name func(R) string,
	call func(ctx context.Context, eng Engine, r R) error) tea.Cmd {
	eng, ctx, noun := p.env.eng, p.env.ctx, p.spec.noun
	return func() tea.Msg {
		var errs []error
		for _, r := range rows {
			if err := call(ctx, eng, r); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name(r), err))
			}
		}
		return bulkDoneMsg[R]{Text: done + " " + plural(len(rows), noun), Err: bulkErr(done, noun, len(rows), errs)}
	}
}

// bulkErr sums the failures of a bulk action up: "Removed 2 of 3
// containers; db: …"; nil when none failed.
func bulkErr(done, noun string, n int, errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	first := oneLine(errs[0].Error())
	more := ""
	if len(errs) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(errs)-1)
	}
	return fmt.Errorf("%s %d of %s; %s%s: %w", done, n-len(errs), plural(n, noun), first, more, errors.Join(errs...))
}

// bulkDone takes in a bulk action's result: the marks go, the list is
// loaded again.
func (p *listPane[R]) bulkDone(msg bulkDoneMsg[R]) tea.Cmd {
	clear(p.marks)
	p.apply()
	if msg.Err != nil {
		return tea.Batch(ui.Status(ui.LevelError, firstLine(msg.Err)), p.refresh())
	}
	return tea.Batch(ui.Status(ui.LevelSuccess, msg.Text), p.refresh())
}

// firstLine is the first line of err's message (errors.Join puts one a
// line after the summary).
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// nameList is at most 8 names joined, then "…".
func nameList[R any](rows []R, name func(R) string) string {
	var names []string
	for i, r := range rows {
		if i == 8 {
			names = append(names, "…")
			break
		}
		names = append(names, name(r))
	}
	return strings.Join(names, ", ")
}
