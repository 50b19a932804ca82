package monitor

import (
	"bytes"
	"testing"
)

func TestParseDetachKeys(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []byte
		err  bool
	}{
		{"ctrl-p,ctrl-q", []byte{0x10, 0x11}, false},
		{"CTRL-A", []byte{1}, false},
		{"ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", []byte{0, 27, 28, 29, 30, 31}, false},
		{"a,b,ctrl-z", []byte{'a', 'b', 26}, false},
		{",", nil, true},
		{"", nil, true},
		{"ctrl-1", nil, true},
		{"ctrl-pq", nil, true},
		{"ab", nil, true},
		{"ctrl-p,", nil, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDetachKeys(tc.in)
			if (err != nil) != tc.err || !bytes.Equal(got, tc.want) {
				t.Errorf("ParseDetachKeys(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestDetachKeysFilter(t *testing.T) {
	keys := []byte{0x10, 0x11}
	for _, tc := range []struct {
		name   string
		chunks []string
		out    string
		hit    bool
	}{
		{"plain", []string{"hello"}, "hello", false},
		{"sequence", []string{"ab\x10\x11cd"}, "ab", true},
		{"split across reads", []string{"ab\x10", "\x11"}, "ab", true},
		{"prefix then other", []string{"a\x10", "b"}, "a\x10b", false},
		{"prefix twice", []string{"\x10\x10\x11"}, "\x10", true},
		{"held at end", []string{"a\x10"}, "a", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := detachKeys{keys: keys}
			var out []byte
			hit := false
			for _, c := range tc.chunks {
				o, h := d.filter([]byte(c))
				out = append(out, o...)
				if h {
					hit = true
					break
				}
			}
			if string(out) != tc.out || hit != tc.hit {
				t.Errorf("out %q hit %v; want %q %v", out, hit, tc.out, tc.hit)
			}
		})
	}
	d := detachKeys{keys: keys}
	d.filter([]byte("x\x10"))
	if held := d.flush(); string(held) != "\x10" {
		t.Errorf("flush %q", held)
	}
	none := detachKeys{}
	if o, h := none.filter([]byte("\x10\x11")); string(o) != "\x10\x11" || h {
		t.Error("no keys must pass everything")
	}
}
