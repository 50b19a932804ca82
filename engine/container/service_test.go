package container

import (
	"slices"
	"testing"
	"time"

	"berth/engine/errdefs"
	"berth/engine/monitor"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestStatusNames(t *testing.T) {
	for _, tc := range []struct {
		s    Status
		name string
	}{{Created, "created"}, {Running, "running"}, {Paused, "paused"}, {Restarting, "restarting"}, {Exited, "exited"}, {Dead, "dead"}} {
		if tc.s.String() != tc.name {
			t.Errorf("%d: %q", tc.s, tc.s.String())
		}
		if got, err := ParseStatus(tc.name); err != nil || got != tc.s {
			t.Errorf("parse %q: %v %v", tc.name, got, err)
		}
	}
	if _, err := ParseStatus("sleeping"); err == nil {
		t.Error("unknown status parsed")
	}
}

func TestConfigMerge(t *testing.T) {
	img := imageConfig{Entrypoint: []string{"/entry"}, Cmd: []string{"serve"}, Env: []string{"PATH=/bin", "A=image"},
		WorkingDir: "/app", User: "app", Labels: map[string]string{"from": "image"}}
	timeout := 3
	empty := []string{""}
	cases := []struct {
		name string
		o    CreateOptions
		img  imageConfig
		want func(Config) bool
		err  func(error) bool
	}{
		{"image defaults", CreateOptions{Image: "x"}, img, func(c Config) bool {
			return c.Args()[0] == "/entry" && c.Args()[1] == "serve" && c.WorkingDir == "/app" && c.User == "app" &&
				c.StopSignal == "SIGTERM" && c.StopTimeout == 10 && c.NetworkMode == "bridge" && c.Restart.Name == "no"
		}, nil},
		{"args replace cmd", CreateOptions{Image: "x", Cmd: []string{"other"}}, img, func(c Config) bool {
			return len(c.Args()) == 2 && c.Args()[1] == "other"
		}, nil},
		{"entrypoint drops cmd", CreateOptions{Image: "x", Entrypoint: &[]string{"/bin/sh"}}, img, func(c Config) bool {
			return len(c.Args()) == 1 && c.Args()[0] == "/bin/sh"
		}, nil},
		{"empty entrypoint clears", CreateOptions{Image: "x", Entrypoint: &empty, Cmd: []string{"ls"}}, img, func(c Config) bool {
			return len(c.Args()) == 1 && c.Args()[0] == "ls"
		}, nil},
		{"env overrides", CreateOptions{Image: "x", Env: []string{"A=mine", "B=2"}, StopTimeout: &timeout, Labels: map[string]string{"k": "v"}}, img, func(c Config) bool {
			return len(c.Env) == 3 && c.Env[1] == "A=mine" && c.StopTimeout == 3 && c.Labels["from"] == "image" && c.Labels["k"] == "v"
		}, nil},
		{"no command", CreateOptions{Image: "x"}, imageConfig{}, nil, errdefs.IsInvalidArgument},
		{"rm with restart", CreateOptions{Image: "x", AutoRemove: true, Restart: RestartPolicy{Name: "always"}}, img, nil, errdefs.IsInvalidArgument},
		{"bad stop signal", CreateOptions{Image: "x", StopSignal: "SIGNOPE"}, img, nil, errdefs.IsInvalidArgument},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config(tc.o, "sha256:abc", tc.img)
			if tc.err != nil {
				if !tc.err(err) {
					t.Fatalf("error %v", err)
				}
				return
			}
			if err != nil || !tc.want(c) {
				t.Fatalf("config %+v, %v", c, err)
			}
		})
	}
}

func TestRestartPolicy(t *testing.T) {
	cases := []struct {
		policy  RestartPolicy
		state   State
		code    int
		restart bool
	}{
		{RestartPolicy{Name: "no"}, State{}, 1, false},
		{RestartPolicy{Name: "always"}, State{}, 0, true},
		{RestartPolicy{Name: "always"}, State{StoppedByUser: true}, 0, false},
		{RestartPolicy{Name: "unless-stopped"}, State{}, 0, true},
		{RestartPolicy{Name: "on-failure"}, State{}, 0, false},
		{RestartPolicy{Name: "on-failure"}, State{RestartCount: 50}, 1, true},
		{RestartPolicy{Name: "on-failure", MaxRetries: 2}, State{RestartCount: 1}, 1, true},
		{RestartPolicy{Name: "on-failure", MaxRetries: 2}, State{RestartCount: 2}, 1, false},
	}
	for _, tc := range cases {
		c := &Container{Config: Config{Restart: tc.policy}, State: tc.state}
		if got := shouldRestart(c, monitor.Exit{Code: tc.code}); got != tc.restart {
			t.Errorf("%+v %+v exit %d: restart %v", tc.policy, tc.state, tc.code, got)
		}
	}
}

func TestStatusText(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		st   State
		want string
	}{
		{State{Status: Created}, "Created"},
		{State{Status: Running, StartedAt: now.Add(-3 * time.Minute)}, "Up 3 minutes"},
		{State{Status: Paused, StartedAt: now.Add(-5 * time.Second)}, "Up 5 seconds (Paused)"},
		{State{Status: Exited, StartedAt: now.Add(-time.Hour), FinishedAt: now.Add(-2 * time.Second), ExitCode: 137}, "Exited (137) 2 seconds ago"},
		{State{Status: Exited, ExitCode: 127}, "Created"},
		{State{Status: Restarting, ExitCode: 1, FinishedAt: now.Add(-time.Second)}, "Restarting (1) 1 second ago"},
	}
	for _, tc := range cases {
		if got := (Summary{State: tc.st}).StatusText(now); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.st, got, tc.want)
		}
	}
}

func TestNames(t *testing.T) {
	for _, good := range []string{"web", "my-app_1.2", "A1"} {
		if err := CheckName(good); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
	for _, bad := range []string{"", "x", "-web", "a b", "sl/ash"} {
		if err := CheckName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if n := randomName(0); CheckName(n) != nil {
		t.Errorf("generated name %q is invalid", n)
	}
	if id := newID(); len(id) != 64 {
		t.Errorf("id %q", id)
	}
}

func TestSeccompArches(t *testing.T) {
	profile := []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}
	cases := map[string][]specs.Arch{
		"linux/amd64": {specs.ArchX86_64},
		"linux/386":   {specs.ArchX86},
		"linux/arm64": profile,
		"":            profile,
	}
	for platform, want := range cases {
		if got := seccompArches(platform, profile); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", platform, got, want)
		}
	}
}
