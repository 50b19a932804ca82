package views

import (
	"slices"
	"testing"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"  sleep   60 ", []string{"sleep", "60"}, false},
		{`sh -c 'echo hi; sleep 1'`, []string{"sh", "-c", "echo hi; sleep 1"}, false},
		{`echo "a \"quoted\" word" 'it''s'`, []string{"echo", `a "quoted" word`, "its"}, false},
		{`echo "keep \n as is" a\ b`, []string{"echo", `keep \n as is`, "a b"}, false},
		{`printf '' x`, []string{"printf", "", "x"}, false},
		{`say "$HOME"`, []string{"say", "$HOME"}, false}, // nothing is expanded
		{`a"b"'c'd`, []string{"abcd"}, false},
		{`echo 'open`, nil, true},
		{`echo "open`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := splitWords(tc.in, "")
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseEnv(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"", nil, ""},
		{"A=1,B=2", []string{"A=1", "B=2"}, ""},
		{"A=1, B=2 C=3", []string{"A=1", "B=2", "C=3"}, ""},
		{`MSG="hello, world" EMPTY= X='a b'`, []string{"MSG=hello, world", "EMPTY=", "X=a b"}, ""},
		{"URL=http://x/?a=b", []string{"URL=http://x/?a=b"}, ""},
		{"NOVALUE", nil, `env "NOVALUE": write KEY=value`},
		{"=x", nil, `env "=x": write KEY=value`},
		{`A="open`, nil, `env: unterminated " quote`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseEnv(tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestCreateOptions(t *testing.T) {
	o, err := runFields{Image: " busybox ", Name: "/web", Command: `sh -c 'echo "hi there"; sleep 60'`,
		Env: `A=1, MSG="a, b"`, Interactive: true}.createOptions()
	if err != nil {
		t.Fatal(err)
	}
	if o.Image != "busybox" || o.Name != "web" || !o.Tty || !o.OpenStdin {
		t.Errorf("options %+v", o)
	}
	if !slices.Equal(o.Cmd, []string{"sh", "-c", `echo "hi there"; sleep 60`}) {
		t.Errorf("cmd %q", o.Cmd)
	}
	if !slices.Equal(o.Env, []string{"A=1", "MSG=a, b"}) {
		t.Errorf("env %q", o.Env)
	}
	o, err = runFields{Image: "alpine"}.createOptions()
	if err != nil || o.Cmd != nil || o.Env != nil || o.Tty || o.Name != "" {
		t.Errorf("empty optional fields: %+v, %v", o, err)
	}
	for _, bad := range []runFields{{}, {Image: "busybox sh"}, {Image: "a", Name: "my web"}, {Image: "a", Command: "'"}, {Image: "a", Env: "X"}} {
		if _, err := bad.createOptions(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
