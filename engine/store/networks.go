package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/mattn/go-sqlite3"

	"berth/engine/errdefs"
)

// Network is the stored record of a network (schema version 3). Config is
// a JSON document the network package owns.
type Network struct {
	ID      string
	Name    string
	Driver  string
	Created time.Time
	Config  []byte
}

// Endpoint is a container's place on a network: the address the IPAM
// handed out (unique per network), its MAC and its aliases.
type Endpoint struct {
	ContainerID string
	NetworkID   string
	IP          string
	MAC         string
	Aliases     []string
}

// constraint reports whether err is SQLite's constraint failure of kind
// code (sqlite3.ErrConstraintUnique, ...).
func constraint(err error, code sqlite3.ErrNoExtended) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == code
}

// PutNetwork stores a new network; a name in use is AlreadyExists.
func (tx *Tx) PutNetwork(n Network) error {
	err := tx.exec(`INSERT INTO networks (id, name, driver, created, config) VALUES (?,?,?,?,?)`,
		n.ID, n.Name, n.Driver, n.Created.UnixNano(), string(n.Config))
	if constraint(err, sqlite3.ErrConstraintUnique) || constraint(err, sqlite3.ErrConstraintPrimaryKey) {
		return errdefs.AlreadyExists("network with name %s already exists: choose another name, or remove it with berth network rm %s", n.Name, n.Name)
	}
	return err
}

const networkCols = `id, name, driver, created, config`

func scanNetwork(row interface{ Scan(...any) error }) (Network, error) {
	var n Network
	var created int64
	var cfg string
	err := row.Scan(&n.ID, &n.Name, &n.Driver, &created, &cfg)
	n.Created, n.Config = time.Unix(0, created), []byte(cfg)
	return n, err
}

// Network returns the network with this exact ID.
func (tx *Tx) Network(id string) (Network, error) {
	n, err := scanNetwork(tx.tx.QueryRowContext(tx.ctx, `SELECT `+networkCols+` FROM networks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return n, errdefs.NotFound("network %s not found", id)
	}
	return n, err
}

// NetworkByName returns the network named name.
func (tx *Tx) NetworkByName(name string) (Network, error) {
	n, err := scanNetwork(tx.tx.QueryRowContext(tx.ctx, `SELECT `+networkCols+` FROM networks WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return n, errdefs.NotFound("network %s not found", name)
	}
	return n, err
}

// Networks lists every network, oldest first.
func (tx *Tx) Networks() ([]Network, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT `+networkCols+` FROM networks ORDER BY created, name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Network
	for rows.Next() {
		n, err := scanNetwork(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// DeleteNetwork deletes a network; one with endpoints is a Conflict.
func (tx *Tx) DeleteNetwork(id string) error {
	res, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM networks WHERE id = ?`, id)
	if constraint(err, sqlite3.ErrConstraintForeignKey) {
		return errdefs.Conflict("network %s has active endpoints: disconnect or remove its containers first", id)
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errdefs.NotFound("network %s not found", id)
	}
	return nil
}

// PutEndpoint records an endpoint. An address already handed out on the
// network, or a container already on it, is a Conflict: the UNIQUE
// constraints are what keep two processes from sharing an address.
func (tx *Tx) PutEndpoint(e Endpoint) error {
	aliases, err := json.Marshal(e.Aliases)
	if err != nil {
		return err
	}
	if e.Aliases == nil {
		aliases = []byte("[]")
	}
	err = tx.exec(`INSERT INTO endpoints (container_id, network_id, ip, mac, aliases) VALUES (?,?,?,?,?)`,
		e.ContainerID, e.NetworkID, e.IP, e.MAC, string(aliases))
	switch {
	case constraint(err, sqlite3.ErrConstraintPrimaryKey):
		return errdefs.Conflict("container %s is already connected to network %s", short(e.ContainerID), short(e.NetworkID))
	case constraint(err, sqlite3.ErrConstraintUnique):
		return errdefs.Conflict("address %s is already in use on network %s: choose another with --ip, or leave --ip out", e.IP, short(e.NetworkID))
	case constraint(err, sqlite3.ErrConstraintForeignKey):
		return errdefs.NotFound("container %s or network %s no longer exists", short(e.ContainerID), short(e.NetworkID))
	}
	return err
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

const endpointCols = `container_id, network_id, ip, mac, aliases`

func (tx *Tx) endpoints(where string, arg string) ([]Endpoint, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT `+endpointCols+` FROM endpoints WHERE `+where+` = ? ORDER BY rowid`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Endpoint
	for rows.Next() {
		var e Endpoint
		var aliases string
		if err := rows.Scan(&e.ContainerID, &e.NetworkID, &e.IP, &e.MAC, &aliases); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(aliases), &e.Aliases); err != nil {
			return nil, errdefs.DataCorrupt("endpoint of %s on %s: aliases are not valid JSON: %v", short(e.ContainerID), short(e.NetworkID), err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// NetworkEndpoints lists the endpoints of a network, in the order they were made.
func (tx *Tx) NetworkEndpoints(networkID string) ([]Endpoint, error) {
	return tx.endpoints("network_id", networkID)
}

// ContainerEndpoints lists the networks a container is on, in the order it joined them.
func (tx *Tx) ContainerEndpoints(containerID string) ([]Endpoint, error) {
	return tx.endpoints("container_id", containerID)
}

// DeleteEndpoint takes a container off a network (its address is free again).
func (tx *Tx) DeleteEndpoint(containerID, networkID string) error {
	res, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM endpoints WHERE container_id = ? AND network_id = ?`, containerID, networkID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errdefs.NotFound("container %s is not connected to network %s", short(containerID), short(networkID))
	}
	return nil
}

// EndpointNetworkNames maps each container on a network to the names of
// its networks, in the order it joined them.
func (tx *Tx) EndpointNetworkNames() (map[string][]string, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT e.container_id, n.name FROM endpoints e JOIN networks n ON n.id = e.network_id ORDER BY e.rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = append(out[id], name)
	}
	return out, rows.Err()
}
