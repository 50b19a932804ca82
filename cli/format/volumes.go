package format

import (
	"encoding/json"
	"strconv"

	"berth/engine/volume"
	"berth/internal/units"
)

// Docker's default formats of berth volume ls.
const (
	VolumeTable = "table {{.Driver}}\t{{.Name}}"
	VolumeQuiet = "{{.Name}}"
)

// VolumeHeader titles the fields of a volume row.
var VolumeHeader = Header{
	"Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE", "Mountpoint": "MOUNTPOINT",
	"Labels": "LABELS", "Links": "LINKS", "Size": "SIZE", "Availability": "AVAILABILITY",
	"Group": "GROUP",
}

// Volume is one row of volume ls as templates see it: {{.Name}},
// {{.Driver}}, {{.Label "k"}} and the other fields of docker's volume
// context.
type Volume struct {
	v    *volume.Volume
	size int64 // -1: not measured
}

// NewVolume makes the row of v; size is its bytes, or -1 when not measured
// (docker prints N/A then).
func NewVolume(v *volume.Volume, size int64) *Volume { return &Volume{v: v, size: size} }

// Name is the volume's name.
func (v *Volume) Name() string { return v.v.Name }

// Driver is "local".
func (v *Volume) Driver() string { return v.v.Driver }

// Scope is "local".
func (v *Volume) Scope() string { return "local" }

// Mountpoint is the directory of the volume's contents.
func (v *Volume) Mountpoint() string { return v.v.Mountpoint }

// Labels are the volume's labels, "k=v" sorted and joined by commas.
func (v *Volume) Labels() string { return joinLabels(v.v.Inspect().Labels) }

// Label is the value of one label, "" when it is not set.
func (v *Volume) Label(name string) string { return v.v.Inspect().Labels[name] }

// Links counts the containers that mount the volume.
func (v *Volume) Links() string { return strconv.Itoa(v.v.RefCount) }

// Size is the bytes the volume holds, "N/A" when not measured.
func (v *Volume) Size() string {
	if v.size < 0 {
		return "N/A"
	}
	return units.HumanSize(v.size)
}

// Availability and Group are cluster-volume fields: "N/A".
func (v *Volume) Availability() string { return "N/A" }

// Group: see Availability.
func (v *Volume) Group() string { return "N/A" }

// MarshalJSON is {{json .}}: every field above but Label, as docker's.
func (v *Volume) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{
		"Availability": v.Availability(), "Driver": v.Driver(), "Group": v.Group(), "Labels": v.Labels(),
		"Links": v.Links(), "Mountpoint": v.Mountpoint(), "Name": v.Name(), "Scope": v.Scope(), "Size": v.Size(),
	})
}
