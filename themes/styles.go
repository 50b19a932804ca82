package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles are the lipgloss styles of every part of the UI, built from one
// Theme by New. They are values: build them once and pass them down.
type Styles struct {
	Theme Theme

	Text    lipgloss.Style // primary text
	Muted   lipgloss.Style // secondary text
	Accent  lipgloss.Style
	Error   lipgloss.Style
	Success lipgloss.Style
	Warning lipgloss.Style

	TitleBar struct {
		Bar       lipgloss.Style // the whole line
		App       lipgloss.Style // "berth"
		Tab       lipgloss.Style
		ActiveTab lipgloss.Style
	}

	Frame struct {
		Border        lipgloss.Style
		BorderFocused lipgloss.Style
		Title         lipgloss.Style
		Info          lipgloss.Style // right side of the top border (sort, counts)
	}

	Table struct {
		Header   lipgloss.Style
		Cell     lipgloss.Style
		Dim      lipgloss.Style // cells that say "nothing": <none>
		Selected lipgloss.Style // the whole row under the cursor
		Empty    lipgloss.Style // the "no rows" placeholder
		Marked   lipgloss.Style // rows marked for a bulk action
		Spark    lipgloss.Style // a sparkline at the end of a cell
	}

	StatusBar struct {
		Bar     lipgloss.Style // the whole line
		Info    lipgloss.Style
		Error   lipgloss.Style
		Success lipgloss.Style
		Busy    lipgloss.Style // running work: pulls
		Hint    lipgloss.Style // "? help"
	}

	Help struct {
		Title    lipgloss.Style
		Key      lipgloss.Style
		Desc     lipgloss.Style
		Disabled lipgloss.Style
	}

	Dialog struct {
		Border lipgloss.Style // foreground of the box lines
		Title  lipgloss.Style
		Body   lipgloss.Style
		Hint   lipgloss.Style
		Danger lipgloss.Style // the word that says what will be destroyed
	}

	Input struct {
		Prompt      lipgloss.Style
		Text        lipgloss.Style
		Placeholder lipgloss.Style
		Cursor      color.Color
	}

	// State colours a container's status by meaning.
	State struct {
		Running lipgloss.Style // up
		Paused  lipgloss.Style // paused, restarting
		Stopped lipgloss.Style // created, exited (0)
		Failed  lipgloss.Style // exited with an error, dead
		Busy    lipgloss.Style // an action under way: "⠋ Stopping…"
	}

	// Log is a container's log view.
	Log struct {
		Stdout  lipgloss.Style
		Stderr  lipgloss.Style
		Time    lipgloss.Style // timestamps, when shown
		Notice  lipgloss.Style // berth's own lines: "— log ended —"
		Match   lipgloss.Style // a match of the search
		Current lipgloss.Style // the match the search went to
	}

	// Split is the session pane's tab line.
	Split struct {
		Tab       lipgloss.Style
		ActiveTab lipgloss.Style
		UnseenTab lipgloss.Style // output came while another tab was shown
		EndedTab  lipgloss.Style // the program ended (exit code shown)
		Selection lipgloss.Style // text selected in a session (copy mode, a drag)
	}

	// Layers marks the files of the layer browser by what a layer did.
	Layers struct {
		Added      lipgloss.Style
		Modified   lipgloss.Style
		Removed    lipgloss.Style
		Unmodified lipgloss.Style
	}

	// Tabs is the tab strip of a detail area.
	Tabs struct {
		Tab    lipgloss.Style
		Active lipgloss.Style
	}

	// JSON colours inspect's JSON by token kind; Match and Current mark
	// search matches (Current the one the cursor is on), Cursor the line
	// the cursor is on, Folded the "{…} 12 keys" of a folded object.
	JSON struct {
		Key, String, Number, Literal, Punct, Folded lipgloss.Style
		Match, Current, Cursor                      lipgloss.Style
	}

	// Chart draws the stats graphs: the first and second series, their
	// labels and the scale.
	Chart struct {
		Primary, Secondary, Label, Scale lipgloss.Style
	}

	Progress struct {
		Filled     lipgloss.Style
		Empty      lipgloss.Style
		FilledRune rune
		EmptyRune  rune
		LayerID    lipgloss.Style
		Active     lipgloss.Style // downloading, verifying, extracting
		Waiting    lipgloss.Style
		Done       lipgloss.Style // pull complete, already exists
		Failed     lipgloss.Style
		Ref        lipgloss.Style // the reference in a pull's header line
	}
}

// New builds the styles of t.
func New(t Theme) Styles {
	fg := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	var s Styles
	s.Theme = t

	s.Text = fg(t.PrimaryText)
	s.Muted = fg(t.SecondaryText)
	s.Accent = fg(t.Accent).Bold(true)
	s.Error = fg(t.ErrorText)
	s.Success = fg(t.SuccessText)
	s.Warning = fg(t.WarningText)

	s.TitleBar.Bar = fg(t.TitleBarText).Background(t.TitleBarBackground)
	s.TitleBar.App = s.TitleBar.Bar.Foreground(t.Accent).Bold(true)
	s.TitleBar.Tab = s.TitleBar.Bar.Foreground(t.SecondaryText)
	s.TitleBar.ActiveTab = s.TitleBar.Bar.Foreground(t.SelectedText).Background(t.SelectedBackground).Bold(true)

	s.Frame.Border = fg(t.Border)
	s.Frame.BorderFocused = fg(t.BorderFocused)
	s.Frame.Title = fg(t.Accent).Bold(true)
	s.Frame.Info = fg(t.SecondaryText)

	s.Table.Header = fg(t.HeaderText).Bold(true)
	s.Table.Cell = fg(t.PrimaryText)
	s.Table.Dim = fg(t.SecondaryText)
	s.Table.Selected = fg(t.SelectedText).Background(t.SelectedBackground).Bold(true)
	s.Table.Empty = fg(t.SecondaryText).Italic(true)
	s.Table.Marked = fg(t.Accent).Bold(true)
	s.Table.Spark = fg(t.Accent)

	s.StatusBar.Bar = fg(t.StatusBarText).Background(t.StatusBarBackground)
	s.StatusBar.Info = s.StatusBar.Bar
	s.StatusBar.Error = s.StatusBar.Bar.Foreground(t.ErrorText).Bold(true)
	s.StatusBar.Success = s.StatusBar.Bar.Foreground(t.SuccessText)
	s.StatusBar.Busy = s.StatusBar.Bar.Foreground(t.Accent).Bold(true)
	s.StatusBar.Hint = s.StatusBar.Bar.Foreground(t.SecondaryText)

	s.Help.Title = fg(t.Accent).Bold(true)
	s.Help.Key = fg(t.Accent).Bold(true)
	s.Help.Desc = fg(t.PrimaryText)
	s.Help.Disabled = fg(t.SecondaryText).Faint(true)

	s.Dialog.Border = fg(t.BorderFocused)
	s.Dialog.Title = fg(t.Accent).Bold(true)
	s.Dialog.Body = fg(t.PrimaryText)
	s.Dialog.Hint = fg(t.SecondaryText)
	s.Dialog.Danger = fg(t.ErrorText).Bold(true)

	s.Input.Prompt = fg(t.Accent).Bold(true)
	s.Input.Text = fg(t.PrimaryText)
	s.Input.Placeholder = fg(t.SecondaryText)
	s.Input.Cursor = t.Accent

	s.State.Running = fg(t.RunningText)
	s.State.Paused = fg(t.PausedText)
	s.State.Stopped = fg(t.StoppedText)
	s.State.Failed = fg(t.FailedText).Bold(true)
	s.State.Busy = fg(t.Accent).Bold(true)

	s.Log.Stdout = fg(t.PrimaryText)
	s.Log.Stderr = fg(t.StderrText)
	s.Log.Time = fg(t.SecondaryText)
	s.Log.Notice = fg(t.SecondaryText).Italic(true)
	s.Log.Match = fg(t.SelectedText).Background(t.WarningText)
	s.Log.Current = fg(t.SelectedText).Background(t.Accent).Bold(true)

	s.Split.Tab = fg(t.SecondaryText)
	s.Split.ActiveTab = fg(t.SelectedText).Background(t.SelectedBackground).Bold(true)
	s.Split.UnseenTab = fg(t.Accent).Bold(true)
	s.Split.EndedTab = fg(t.StoppedText).Italic(true)
	s.Split.Selection = fg(t.SelectedText).Background(t.SelectedBackground)

	s.Tabs.Tab = fg(t.SecondaryText)
	s.Tabs.Active = fg(t.SelectedText).Background(t.SelectedBackground).Bold(true)

	s.JSON.Key = fg(t.JSONKey)
	s.JSON.String = fg(t.JSONString)
	s.JSON.Number = fg(t.JSONNumber)
	s.JSON.Literal = fg(t.JSONLiteral)
	s.JSON.Punct = fg(t.SecondaryText)
	s.JSON.Folded = fg(t.SecondaryText).Italic(true)
	s.JSON.Match = lipgloss.NewStyle().Background(t.SearchMatch)
	s.JSON.Current = fg(t.SelectedText).Background(t.SearchMatch).Bold(true).Underline(true)
	s.JSON.Cursor = lipgloss.NewStyle().Background(t.SelectedBackground)

	s.Chart.Primary = fg(t.ChartPrimary)
	s.Chart.Secondary = fg(t.ChartSecondary)
	s.Chart.Label = fg(t.PrimaryText).Bold(true)
	s.Chart.Scale = fg(t.SecondaryText)

	s.Progress.Filled = fg(t.ProgressFilled)
	s.Progress.Empty = fg(t.ProgressEmpty)
	s.Progress.FilledRune, s.Progress.EmptyRune = '━', '─'
	s.Progress.LayerID = fg(t.SecondaryText)
	s.Progress.Active = fg(t.Accent)
	s.Progress.Waiting = fg(t.SecondaryText)
	s.Progress.Done = fg(t.SuccessText)
	s.Progress.Failed = fg(t.ErrorText).Bold(true)
	s.Progress.Ref = fg(t.PrimaryText).Bold(true)

	s.Layers.Added = fg(t.SuccessText)
	s.Layers.Modified = fg(t.WarningText)
	s.Layers.Removed = fg(t.ErrorText)
	s.Layers.Unmodified = fg(t.PrimaryText)

	if t.Mono {
		// Without colour, shape and video attributes carry the meaning.
		s.TitleBar.ActiveTab = s.TitleBar.ActiveTab.Reverse(true)
		s.Table.Selected = s.Table.Selected.Reverse(true)
		s.Split.ActiveTab = s.Split.ActiveTab.Reverse(true)
		s.Split.Selection = s.Split.Selection.Reverse(true)
		s.Tabs.Active = s.Tabs.Active.Reverse(true)
		s.JSON.Match = s.JSON.Match.Underline(true)
		s.JSON.Current = s.JSON.Current.Reverse(true)
		s.JSON.Cursor = s.JSON.Cursor.Reverse(true)
		s.StatusBar.Bar = s.StatusBar.Bar.Reverse(true)
		s.StatusBar.Info = s.StatusBar.Info.Reverse(true)
		s.StatusBar.Error = s.StatusBar.Error.Reverse(true)
		s.StatusBar.Success = s.StatusBar.Success.Reverse(true)
		s.StatusBar.Busy = s.StatusBar.Busy.Reverse(true)
		s.StatusBar.Hint = s.StatusBar.Hint.Reverse(true)
		s.Progress.FilledRune, s.Progress.EmptyRune = '█', '░'
		s.State.Paused = s.State.Paused.Italic(true)
		s.State.Stopped = s.State.Stopped.Faint(true)
		s.Log.Stderr = s.Log.Stderr.Italic(true)
		s.Log.Match = s.Log.Match.Reverse(true)
		s.Log.Current = s.Log.Current.Reverse(true).Underline(true)
		s.Layers.Removed = s.Layers.Removed.Strikethrough(true)
		s.Layers.Modified = s.Layers.Modified.Italic(true)
	}
	return s
}
