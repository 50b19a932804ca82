package container

import (
	"bufio"
	"bytes"
	"math"
	"math/big"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// ParseBytes reads a size as Docker's --memory takes it: a number with an
// optional binary unit b, k, m, g, t or p (case-insensitive, "64m", "64mb",
// "64MiB", "1.5g"); no unit means bytes.
func ParseBytes(s string) (int64, error) {
	m := sizeRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, errdefs.InvalidArgument("invalid size %q: use a number with an optional unit b, k, m, g or t, such as 64m", s)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, errdefs.InvalidArgument("invalid size %q: use a number with an optional unit b, k, m, g or t, such as 64m", s)
	}
	if m[2] != "" {
		f *= math.Pow(1024, float64(strings.Index("kmgtp", m[2])+1))
	}
	if f >= math.MaxInt64 {
		return 0, errdefs.InvalidArgument("size %q is too large", s)
	}
	return int64(f), nil
}

// sizeRE is Docker's size syntax, lower-cased: number, optional space,
// optional unit letter with optional "i", optional "b".
var sizeRE = regexp.MustCompile(`^(\d+(?:\.\d+)?) ?(?:([kmgtp])i?)?b?$`)

// ParseCPUs reads --cpus ("0.5", "2") as nano-CPUs. Like Docker it must lie
// between 0.01 and the number of CPUs this host has.
func ParseCPUs(s string) (int64, error) {
	n := runtime.NumCPU()
	rangeErr := func() (int64, error) {
		return 0, errdefs.InvalidArgument("invalid --cpus %q: range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", s, n, n)
	}
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok || strings.ContainsAny(s, "/eE") {
		return 0, errdefs.InvalidArgument("invalid --cpus %q: use a number of CPUs such as 0.5 or 2", s)
	}
	nano := r.Mul(r, big.NewRat(1e9, 1))
	if !nano.IsInt() {
		return 0, errdefs.InvalidArgument("invalid --cpus %q: too precise, use at most 9 decimals", s)
	}
	if !nano.Num().IsInt64() {
		return rangeErr()
	}
	v := nano.Num().Int64()
	if v < 1e7 || v > int64(n)*1e9 {
		return rangeErr()
	}
	return v, nil
}

// ParseRestartPolicy reads --restart: no, always, unless-stopped,
// on-failure or on-failure:N (N retries at most; 0 means no limit).
func ParseRestartPolicy(s string) (RestartPolicy, error) {
	name, count, hasCount := strings.Cut(s, ":")
	switch name {
	case "", "no", "always", "unless-stopped":
		if hasCount {
			return RestartPolicy{}, errdefs.InvalidArgument("invalid restart policy %q: a maximum retry count works only with on-failure, as in on-failure:3", s)
		}
		if name == "" {
			name = "no"
		}
		return RestartPolicy{Name: name}, nil
	case "on-failure":
		p := RestartPolicy{Name: name}
		if hasCount {
			n, err := strconv.Atoi(count)
			if err != nil || n < 0 {
				return RestartPolicy{}, errdefs.InvalidArgument("invalid restart policy %q: the maximum retry count must be a number of 0 or more, as in on-failure:3", s)
			}
			p.MaxRetries = n
		}
		return p, nil
	}
	return RestartPolicy{}, errdefs.InvalidArgument("invalid restart policy %q: use no, always, unless-stopped or on-failure[:max-retries]", s)
}

// The real-time signals, as Docker names them (glibc's SIGRTMIN is 34).
const (
	sigRTMin = 34
	sigRTMax = 64
)

// ParseSignal reads a signal as docker kill --signal takes it: "KILL",
// "SIGKILL", "kill", "9", "RTMIN+3".
func ParseSignal(s string) (syscall.Signal, error) {
	bad := func() (syscall.Signal, error) {
		return 0, errdefs.InvalidArgument("invalid signal %q: use a name such as TERM, SIGKILL or HUP, or a number from 1 to %d", s, sigRTMax)
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > sigRTMax {
			return bad()
		}
		return syscall.Signal(n), nil
	}
	name := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SIG")
	if name == "" {
		return bad()
	}
	for _, rt := range []struct {
		prefix string
		base   int
		sign   int
	}{{"RTMIN", sigRTMin, 1}, {"RTMAX", sigRTMax, -1}} {
		rest, ok := strings.CutPrefix(name, rt.prefix)
		if !ok {
			continue
		}
		if rest == "" {
			return syscall.Signal(rt.base), nil
		}
		if (rt.sign > 0 && rest[0] != '+') || (rt.sign < 0 && rest[0] != '-') {
			return bad()
		}
		off, err := strconv.Atoi(rest[1:])
		if err != nil || off < 1 || off >= sigRTMax-sigRTMin {
			return bad()
		}
		return syscall.Signal(rt.base + rt.sign*off), nil
	}
	if sig := unix.SignalNum("SIG" + name); sig != 0 {
		return sig, nil
	}
	return bad()
}

// ParseEnvFile reads a Docker env file: one KEY=value per line, taken as
// is (no quotes removed, no expansion); blank lines and lines starting
// with # are skipped; a line with a bare KEY takes the value from this
// process's environment, or is left out when it is not set there. Leading
// blanks are dropped, a trailing CR too (files written on Windows).
func ParseEnvFile(path string) ([]string, error) {
	return parseEnvFile(path, os.LookupEnv)
}

func parseEnvFile(path string, lookup func(string) (string, bool)) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errdefs.Wrap(errdefs.ErrInvalidArgument, err, "env file %s: %v", path, unwrapPathError(err))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 BOM
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		raw := sc.Text()
		if !utf8.ValidString(raw) {
			return nil, errdefs.InvalidArgument("env file %s: line %d is not valid UTF-8: save the file as UTF-8", path, n)
		}
		line := strings.TrimLeft(raw, " \t")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, hasValue := strings.Cut(line, "=")
		if key == "" {
			return nil, errdefs.InvalidArgument("env file %s: line %d %q has no variable name: write KEY=value", path, n, raw)
		}
		if strings.ContainsAny(key, " \t") {
			return nil, errdefs.InvalidArgument("env file %s: line %d: variable %q contains whitespace: write KEY=value without spaces around the name", path, n, key)
		}
		if hasValue {
			out = append(out, key+"="+value)
		} else if v, ok := lookup(key); ok {
			out = append(out, key+"="+v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, errdefs.Wrap(errdefs.ErrInvalidArgument, err, "env file %s: %v", path, err)
	}
	return out, nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// MergeEnv is image's environment with overrides applied, as Docker does:
// an override KEY=value replaces the image's KEY in place or is appended;
// a bare KEY in overrides removes KEY. Later entries win; order is stable.
func MergeEnv(image, overrides []string) []string {
	out := make([]string, 0, len(image)+len(overrides))
	index := map[string]int{}
	set := func(kv string) {
		key, _, hasValue := strings.Cut(kv, "=")
		i, ok := index[key]
		switch {
		case !hasValue && ok:
			out[i] = "" // removed; compacted below
			delete(index, key)
		case !hasValue:
		case ok:
			out[i] = kv
		default:
			index[key] = len(out)
			out = append(out, kv)
		}
	}
	for _, kv := range image {
		set(kv)
	}
	for _, kv := range overrides {
		set(kv)
	}
	res := out[:0]
	for _, kv := range out {
		if kv != "" {
			res = append(res, kv)
		}
	}
	return res
}
