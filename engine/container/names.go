package container

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
	"regexp"

	"berth/engine/errdefs"
)

// validName is Docker's rule for container names.
var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// CheckName validates a user-given container name.
func CheckName(name string) error {
	if !validName.MatchString(name) {
		return errdefs.InvalidArgument("invalid container name %q: use letters, digits, '_', '.' and '-', at least 2 characters, starting with a letter or digit", name)
	}
	return nil
}

// newID returns 64 random hex digits, never all digits (Docker avoids IDs
// that could be read as numbers).
func newID() string {
	for {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic(err)
		}
		id := hex.EncodeToString(b[:])
		for _, c := range id[:12] {
			if c > '9' {
				return id
			}
		}
	}
}

var nameLeft = []string{
	"amber", "bold", "brave", "bright", "calm", "clever", "cool", "crisp", "daring", "eager",
	"fair", "fancy", "fast", "gentle", "glad", "golden", "grand", "happy", "hardy", "jolly",
	"keen", "kind", "lively", "lucky", "merry", "mighty", "nimble", "noble", "proud", "quick",
	"quiet", "rapid", "salty", "sharp", "silent", "sleek", "steady", "sunny", "swift", "tidy",
	"trusty", "vivid", "warm", "wise", "witty", "young", "zesty",
}

var nameRight = []string{
	"anchor", "barge", "beacon", "bollard", "bosun", "bow", "buoy", "cabin", "capstan", "cargo",
	"current", "cutter", "deck", "dinghy", "dock", "ferry", "fleet", "galley", "gangway", "harbor",
	"hatch", "helm", "hull", "jetty", "keel", "ketch", "lantern", "mast", "mooring", "oar",
	"pier", "pilot", "port", "quay", "rudder", "sail", "schooner", "skiff", "sloop", "stern",
	"tide", "tug", "wake", "wharf", "winch", "yacht",
}

// randomName makes a name like "brave_anchor"; after a few collisions it
// appends a digit, as Docker does.
func randomName(try int) string {
	pick := func(list []string) string {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(list))))
		return list[n.Int64()]
	}
	name := pick(nameLeft) + "_" + pick(nameRight)
	if try > 3 {
		d, _ := rand.Int(rand.Reader, big.NewInt(100))
		name += d.String()
	}
	return name
}
