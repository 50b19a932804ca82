package store

import (
	"database/sql"
	"errors"
	"time"

	"github.com/mattn/go-sqlite3"

	"berth/engine/errdefs"
)

// Container is the stored record of a container. Config and State are JSON
// documents the container package owns; the store only keeps them.
type Container struct {
	ID      string
	Name    string
	ImageID string
	Created time.Time
	Config  []byte
	State   []byte
}

// PutContainer stores a new container; a name in use is a Conflict.
func (tx *Tx) PutContainer(c Container) error {
	err := tx.exec(`INSERT INTO containers (id, name, image_id, created, config, state) VALUES (?,?,?,?,?,?)`,
		c.ID, c.Name, c.ImageID, c.Created.UnixNano(), string(c.Config), string(c.State))
	return tx.nameConflict(err, c.Name)
}

func (tx *Tx) nameConflict(err error, name string) error {
	// The name is the table's only UNIQUE column (the ID is its primary
	// key, a different constraint code).
	if constraint(err, sqlite3.ErrConstraintUnique) {
		owner, _ := tx.ContainerIDByName(name)
		if len(owner) > 12 {
			owner = owner[:12]
		}
		return errdefs.Conflict("the container name %q is already in use by container %s: remove or rename that container, or choose another name", name, owner)
	}
	return err
}

const containerCols = `id, name, image_id, created, config, state`

func scanContainer(row interface{ Scan(...any) error }) (Container, error) {
	var c Container
	var created int64
	var cfg, st string
	err := row.Scan(&c.ID, &c.Name, &c.ImageID, &created, &cfg, &st)
	c.Created, c.Config, c.State = time.Unix(0, created), []byte(cfg), []byte(st)
	return c, err
}

// Container returns the container with this exact ID.
func (tx *Tx) Container(id string) (Container, error) {
	c, err := scanContainer(tx.tx.QueryRowContext(tx.ctx, `SELECT `+containerCols+` FROM containers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errdefs.NotFound("no such container %s", id)
	}
	return c, err
}

// Containers returns every container, newest first.
func (tx *Tx) Containers() ([]Container, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT `+containerCols+` FROM containers ORDER BY created DESC, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Container
	for rows.Next() {
		c, err := scanContainer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ContainerIDByName returns the ID of the container called name.
func (tx *Tx) ContainerIDByName(name string) (string, error) {
	var id string
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT id FROM containers WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errdefs.NotFound("no such container %q", name)
	}
	return id, err
}

// ContainerIDsWithPrefix returns the IDs starting with prefix.
func (tx *Tx) ContainerIDsWithPrefix(prefix string) ([]string, error) {
	return tx.strings(`SELECT id FROM containers WHERE substr(id, 1, ?) = ?`, len(prefix), prefix)
}

// SetContainerState replaces a container's state document.
func (tx *Tx) SetContainerState(id string, state []byte) error {
	return tx.exec(`UPDATE containers SET state = ? WHERE id = ?`, string(state), id)
}

// RenameContainer gives a container a new unique name.
func (tx *Tx) RenameContainer(id, name string) error {
	return tx.nameConflict(tx.exec(`UPDATE containers SET name = ? WHERE id = ?`, name, id), name)
}

// DeleteContainer removes a container record.
func (tx *Tx) DeleteContainer(id string) error {
	return tx.exec(`DELETE FROM containers WHERE id = ?`, id)
}

// ContainersUsingImage counts the containers made from an image.
func (tx *Tx) ContainersUsingImage(imageID string) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT COUNT(*) FROM containers WHERE image_id = ?`, imageID).Scan(&n)
	return n, err
}
