package container

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"

	"berth/engine/errdefs"
)

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "0", want: 0},
		{in: "1024", want: 1024},
		{in: "100b", want: 100},
		{in: "64k", want: 64 << 10},
		{in: "64m", want: 64 << 20},
		{in: "64M", want: 64 << 20},
		{in: "64mb", want: 64 << 20},
		{in: "64MB", want: 64 << 20},
		{in: "64MiB", want: 64 << 20},
		{in: "64 m", want: 64 << 20},
		{in: "1g", want: 1 << 30},
		{in: "1.5g", want: 3 << 29},
		{in: "2t", want: 2 << 40},
		{in: "1p", want: 1 << 50},
		{in: " 8m ", want: 8 << 20},
		{in: "", bad: true},
		{in: "m", bad: true},
		{in: "64x", bad: true},
		{in: "-64m", bad: true},
		{in: "64mm", bad: true},
		{in: "1e3", bad: true},
		{in: "0x10", bad: true},
		{in: "64ib", bad: true},
		{in: "1.2.3m", bad: true},
		{in: "99999999999p", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseBytes(tc.in)
			if tc.bad {
				if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.in)) {
					t.Fatalf("ParseBytes(%q) = %d, %v; want InvalidArgument naming the value", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseBytes(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseCPUs(t *testing.T) {
	n := runtime.NumCPU()
	for _, tc := range []struct {
		in      string
		want    int64
		wantErr string
	}{
		{in: "0.5", want: 5e8},
		{in: "1", want: 1e9},
		{in: "0.01", want: 1e7},
		{in: fmt.Sprint(n), want: int64(n) * 1e9},
		{in: "0", wantErr: fmt.Sprintf("range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", n, n)},
		{in: "0.001", wantErr: "range of CPUs"},
		{in: "-1", wantErr: "range of CPUs"},
		{in: fmt.Sprint(n + 1), wantErr: "range of CPUs"},
		{in: "0.0000000001", wantErr: "too precise"},
		{in: "abc", wantErr: "use a number of CPUs"},
		{in: "1/2", wantErr: "use a number of CPUs"},
		{in: "", wantErr: "use a number of CPUs"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseCPUs(tc.in)
			if tc.wantErr != "" {
				if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseCPUs(%q) = %d, %v; want InvalidArgument with %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseCPUs(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseRestartPolicy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want RestartPolicy
		bad  bool
	}{
		{in: "", want: RestartPolicy{Name: "no"}},
		{in: "no", want: RestartPolicy{Name: "no"}},
		{in: "always", want: RestartPolicy{Name: "always"}},
		{in: "unless-stopped", want: RestartPolicy{Name: "unless-stopped"}},
		{in: "on-failure", want: RestartPolicy{Name: "on-failure"}},
		{in: "on-failure:3", want: RestartPolicy{Name: "on-failure", MaxRetries: 3}},
		{in: "on-failure:0", want: RestartPolicy{Name: "on-failure"}},
		{in: "on-failure:-1", bad: true},
		{in: "on-failure:x", bad: true},
		{in: "on-failure:", bad: true},
		{in: "always:3", bad: true},
		{in: "no:1", bad: true},
		{in: "sometimes", bad: true},
		{in: "Always", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseRestartPolicy(tc.in)
			if tc.bad {
				if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.in)) {
					t.Fatalf("ParseRestartPolicy(%q) = %+v, %v; want InvalidArgument naming the value", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseRestartPolicy(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseSignal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want syscall.Signal
		bad  bool
	}{
		{in: "KILL", want: syscall.SIGKILL},
		{in: "SIGKILL", want: syscall.SIGKILL},
		{in: "kill", want: syscall.SIGKILL},
		{in: "sigterm", want: syscall.SIGTERM},
		{in: "9", want: syscall.SIGKILL},
		{in: "15", want: syscall.SIGTERM},
		{in: "HUP", want: syscall.SIGHUP},
		{in: "SIGUSR1", want: syscall.SIGUSR1},
		{in: "WINCH", want: syscall.SIGWINCH},
		{in: "RTMIN", want: 34},
		{in: "SIGRTMIN+3", want: 37},
		{in: "RTMAX", want: 64},
		{in: "RTMAX-1", want: 63},
		{in: "64", want: 64},
		{in: "0", bad: true},
		{in: "65", bad: true},
		{in: "-9", bad: true},
		{in: "", bad: true},
		{in: "SIG", bad: true},
		{in: "KILLME", bad: true},
		{in: "RTMIN-1", bad: true},
		{in: "RTMAX+1", bad: true},
		{in: "RTMIN+40", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSignal(tc.in)
			if tc.bad {
				if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.in)) {
					t.Fatalf("ParseSignal(%q) = %v, %v; want InvalidArgument naming the value", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseSignal(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseEnvFile(t *testing.T) {
	env := map[string]string{"FROM_HOST": "h v", "EMPTY_HOST": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct {
		name    string
		content string
		want    []string
		wantErr string
	}{
		{
			name: "docker format",
			content: "\xef\xbb\xbf# comment\n\nA=1\n  B=two words  \nC=\"quoted\"\n\t# indented comment\nD=x=y\nE=\n" +
				"FROM_HOST\nEMPTY_HOST\nNOT_SET\nlower_case=ok\r\n",
			want: []string{"A=1", "B=two words  ", `C="quoted"`, "D=x=y", "E=", "FROM_HOST=h v", "EMPTY_HOST=", "lower_case=ok"},
		},
		{name: "empty file", content: "", want: nil},
		{name: "no name", content: "=value\n", wantErr: "line 1"},
		{name: "space in name", content: "A=1\nMY VAR=1\n", wantErr: `line 2: variable "MY VAR" contains whitespace`},
		{name: "bad utf8", content: "A=\xff\n", wantErr: "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "env")
			if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := parseEnvFile(p, lookup)
			if tc.wantErr != "" {
				if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), p) {
					t.Fatalf("err = %v, want InvalidArgument naming %s and %q", err, p, tc.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	_, err := ParseEnvFile(filepath.Join(t.TempDir(), "missing"))
	if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing file: %v", err)
	}
	t.Setenv("BERTH_TEST_ENVFILE", "from env")
	p := filepath.Join(t.TempDir(), "env")
	os.WriteFile(p, []byte("BERTH_TEST_ENVFILE\n"), 0o644)
	if got, err := ParseEnvFile(p); err != nil || !slices.Equal(got, []string{"BERTH_TEST_ENVFILE=from env"}) {
		t.Fatalf("bare key from the environment: %q, %v", got, err)
	}
}

func TestMergeEnv(t *testing.T) {
	for _, tc := range []struct {
		name             string
		image, overrides []string
		want             []string
	}{
		{name: "none", want: []string{}},
		{name: "image only", image: []string{"PATH=/bin", "A=1"}, want: []string{"PATH=/bin", "A=1"}},
		{name: "override in place, new appended", image: []string{"PATH=/bin", "A=1", "B=2"}, overrides: []string{"A=9", "C=3"}, want: []string{"PATH=/bin", "A=9", "B=2", "C=3"}},
		{name: "later wins", image: []string{"A=1"}, overrides: []string{"A=2", "A=3"}, want: []string{"A=3"}},
		{name: "duplicates in image", image: []string{"A=1", "A=2"}, want: []string{"A=2"}},
		{name: "bare key removes", image: []string{"A=1", "B=2"}, overrides: []string{"A"}, want: []string{"B=2"}},
		{name: "bare unknown key ignored", image: []string{"A=1"}, overrides: []string{"Z"}, want: []string{"A=1"}},
		{name: "removed then set again goes last", image: []string{"A=1", "B=2"}, overrides: []string{"A", "A=5"}, want: []string{"B=2", "A=5"}},
		{name: "empty value kept", image: []string{"A=1"}, overrides: []string{"A="}, want: []string{"A="}},
		{name: "value with =", overrides: []string{"A=b=c"}, want: []string{"A=b=c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			image := slices.Clone(tc.image)
			got := MergeEnv(tc.image, tc.overrides)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("MergeEnv(%q, %q) = %q, want %q", tc.image, tc.overrides, got, tc.want)
			}
			if !slices.Equal(image, tc.image) {
				t.Fatal("MergeEnv changed its input")
			}
		})
	}
}
