package views

import (
	"errors"
	"fmt"
	"strings"

	"berth/engine/container"
)

// splitWords splits s into words as a POSIX shell does, without expanding
// anything: blanks (and any rune of extra) separate words; 'single quotes'
// keep everything literally; "double quotes" keep everything but \" \\ \$
// \` which lose their backslash; outside quotes a backslash keeps the next
// rune. ” and "" give an empty word.
func splitWords(s, extra string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\'':
			end := indexRune(rs, i+1, '\'')
			if end < 0 {
				return nil, errors.New("unterminated ' quote")
			}
			cur.WriteString(string(rs[i+1 : end]))
			i, inWord = end, true
		case r == '"':
			i++
			for ; i < len(rs) && rs[i] != '"'; i++ {
				if rs[i] == '\\' && i+1 < len(rs) && strings.ContainsRune("\"\\$`", rs[i+1]) {
					i++
				}
				cur.WriteRune(rs[i])
			}
			if i >= len(rs) {
				return nil, errors.New(`unterminated " quote`)
			}
			inWord = true
		case r == '\\':
			if i+1 < len(rs) {
				i++
				cur.WriteRune(rs[i])
			}
			inWord = true
		case r == ' ' || r == '\t' || r == '\n' || strings.ContainsRune(extra, r):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func indexRune(rs []rune, from int, r rune) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

// parseEnv reads "KEY=value" entries separated by commas or blanks; a value
// with either is quoted: MSG="hello, world".
func parseEnv(s string) ([]string, error) {
	words, err := splitWords(s, ",")
	if err != nil {
		return nil, fmt.Errorf("env: %w", err)
	}
	for _, w := range words {
		k, _, ok := strings.Cut(w, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("env %q: write KEY=value", w)
		}
	}
	return words, nil
}

// runFields are the texts of the run dialog.
type runFields struct {
	Image, Name, Command, Env string
	Interactive               bool // -it: stdin kept open, a terminal
}

// createOptions builds what RunContainer takes from the dialog's fields.
// The container always runs in the background (-d): its logs (l) and attach
// (enter) are a key away; Interactive adds -it, which a shell needs to stay
// up until someone attaches.
func (f runFields) createOptions() (container.CreateOptions, error) {
	var o container.CreateOptions
	o.Image = strings.TrimSpace(f.Image)
	if o.Image == "" {
		return o, errors.New("type an image, e.g. busybox or nginx:alpine")
	}
	if strings.ContainsAny(o.Image, " \t") {
		return o, fmt.Errorf("image %q: no blanks in an image reference (the command has a field of its own)", o.Image)
	}
	o.Name = strings.TrimPrefix(strings.TrimSpace(f.Name), "/")
	if strings.ContainsAny(o.Name, " \t") {
		return o, fmt.Errorf("name %q: no blanks in a name", o.Name)
	}
	cmd, err := splitWords(f.Command, "")
	if err != nil {
		return o, fmt.Errorf("command: %w", err)
	}
	o.Cmd = cmd
	o.Tty, o.OpenStdin = f.Interactive, f.Interactive
	if o.Env, err = parseEnv(f.Env); err != nil {
		return o, err
	}
	return o, nil
}
