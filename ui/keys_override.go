package ui

import (
	"slices"
	"strings"
	"unicode"
)

// KeyOverrides are the keys a user chose for actions, by action name
// ("containers.stop", "app.quit"): the config file's [keys] table.
type KeyOverrides map[string][]string

// Action is b's stable name within its table: its ID, or else one made
// from its short description: "force remove" → "force-remove", "start
// (up)" → "start", "pause / unpause" → "pause".
func (b Binding) Action() string {
	if b.ID != "" {
		return b.ID
	}
	return ActionName(b.ShortDesc())
}

// ActionName turns a description into an action name: lowercase words
// joined by "-", up to a " (" or " / ".
func ActionName(desc string) string {
	for _, cut := range []string{" (", " / ", "/"} {
		desc, _, _ = strings.Cut(desc, cut)
	}
	words := strings.FieldsFunc(strings.ToLower(desc), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(words, "-")
}

// Rebind gives b the keys keys; the help shows them joined by "/".
func (b *Binding) Rebind(keys []string) {
	desc := b.Help().Desc
	b.SetKeys(keys...)
	b.SetHelp(strings.Join(keys, "/"), desc)
}

// Apply rebinds b when o names prefix.b.Action(), and reports whether it
// did.
func (o KeyOverrides) Apply(prefix string, b *Binding) bool {
	keys, ok := o[prefix+"."+b.Action()]
	if !ok || len(keys) == 0 {
		return false
	}
	b.Rebind(keys)
	return true
}

// AppPrefix is the table name of the keymap's bindings: "app.quit".
const AppPrefix = "app"

// Bindings are the keymap's bindings, to override and to list.
func (k *KeyMap) Bindings() []*Binding {
	return []*Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom, &k.Filter, &k.Back,
		&k.Help, &k.Quit, &k.ForceQuit, &k.NextPane, &k.PrevPane, &k.GotoPane,
		&k.Prefix, &k.SplitRight, &k.SplitBelow, &k.Zoom, &k.NextSession, &k.PrevSession, &k.CopyMode,
		&k.Command, &k.Copy, &k.Mouse}
}

// Override applies o to the keymap and returns the action names of its
// bindings ("app.quit"), overridden or not.
func (k *KeyMap) Override(o KeyOverrides) []string {
	var names []string
	for _, b := range k.Bindings() {
		o.Apply(AppPrefix, b)
		names = append(names, AppPrefix+"."+b.Action())
	}
	return names
}

// KeyClash is two actions of one table on the same key.
type KeyClash struct{ Key, A, B string }

// Clashes finds keys that two bindings of table share, where at least one
// of the two is overridden (names in overridden): the defaults are known
// to be apart, or to share a key on purpose.
func Clashes(table map[string]*Binding, overridden func(action string) bool) []KeyClash {
	owner := map[string]string{}
	var names []string
	for n := range table {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []KeyClash
	for _, n := range names {
		for _, key := range table[n].Keys() {
			if prev, ok := owner[key]; ok && prev != n && (overridden(prev) || overridden(n)) {
				out = append(out, KeyClash{Key: key, A: prev, B: n})
				continue
			}
			owner[key] = n
		}
	}
	return out
}
