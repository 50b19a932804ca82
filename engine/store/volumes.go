package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"berth/engine/errdefs"
)

// Volume is the stored record of a volume (schema version 3).
type Volume struct {
	Name      string
	Driver    string
	Created   time.Time
	Anonymous bool
	Labels    map[string]string
}

// PutVolume stores a new volume; a name in use is AlreadyExists.
func (tx *Tx) PutVolume(v Volume) error {
	labels, err := json.Marshal(v.Labels)
	if err != nil {
		return err
	}
	if v.Labels == nil {
		labels = []byte("{}")
	}
	res, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO volumes (name, driver, created, anonymous, labels) VALUES (?,?,?,?,?)
		ON CONFLICT(name) DO NOTHING`, v.Name, v.Driver, v.Created.UnixNano(), v.Anonymous, string(labels))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errdefs.AlreadyExists("volume %q already exists", v.Name)
	}
	return nil
}

const volumeCols = `name, driver, created, anonymous, labels`

func scanVolume(row interface{ Scan(...any) error }) (Volume, error) {
	var v Volume
	var created int64
	var labels string
	if err := row.Scan(&v.Name, &v.Driver, &created, &v.Anonymous, &labels); err != nil {
		return v, err
	}
	v.Created = time.Unix(0, created)
	if err := json.Unmarshal([]byte(labels), &v.Labels); err != nil {
		return v, errdefs.DataCorrupt("volume %s: stored labels are not valid: %v", v.Name, err)
	}
	return v, nil
}

// Volume returns the volume called name.
func (tx *Tx) Volume(name string) (Volume, error) {
	v, err := scanVolume(tx.tx.QueryRowContext(tx.ctx, `SELECT `+volumeCols+` FROM volumes WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return v, errdefs.NotFound("no such volume %q: see berth volume ls", name)
	}
	return v, err
}

// Volumes returns every volume, by name.
func (tx *Tx) Volumes() ([]Volume, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT `+volumeCols+` FROM volumes ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Volume
	for rows.Next() {
		v, err := scanVolume(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// DeleteVolume removes a volume record. A volume that containers use is a
// Conflict naming them (the foreign key of container_volumes refuses it
// too); a missing one is NotFound.
func (tx *Tx) DeleteVolume(name string) error {
	users, err := tx.VolumeUsers(name)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return errdefs.Conflict("volume %s is in use by container %s: remove the container first (berth rm %s), then the volume", name, strings.Join(users, ", "), strings.Join(users, " "))
	}
	res, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM volumes WHERE name = ?`, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errdefs.NotFound("no such volume %q: see berth volume ls", name)
	}
	return nil
}

// UseVolume records that container id mounts volume name.
func (tx *Tx) UseVolume(id, name string) error {
	return tx.exec(`INSERT INTO container_volumes (container_id, volume) VALUES (?,?) ON CONFLICT DO NOTHING`, id, name)
}

// VolumeUsers returns the names of the containers that mount volume name.
func (tx *Tx) VolumeUsers(name string) ([]string, error) {
	return tx.strings(`SELECT c.name FROM container_volumes cv JOIN containers c ON c.id = cv.container_id
		WHERE cv.volume = ? ORDER BY c.name`, name)
}

// VolumeUseCounts returns, per volume that containers mount, how many do.
func (tx *Tx) VolumeUseCounts() (map[string]int, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT volume, COUNT(*) FROM container_volumes GROUP BY volume`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, rows.Err()
}
