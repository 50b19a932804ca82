package store

import "strings"

// Peer is a container on a network that another container is on, as the
// container name server sees it: who, on which network, at which address.
type Peer struct {
	ContainerID string
	Name        string // the container's name
	Network     string // the network's name
	IP          string // the container's address there
	State       []byte // the container's state document (is it running?)
}

// PeerQuery says which peers of container Of to list: those that answer
// to Name (the container's name, the 12-hex short form of its ID or one
// of its aliases on the network, compared without regard to ASCII case),
// or those with address Addr; on network Network only when it is set, and
// never on network Except (Docker's default bridge has no names).
type PeerQuery struct {
	Of      string
	Name    string
	Addr    string
	Network string
	Except  string
}

// Peers lists the peers q asks for, in no particular order. The asking
// container itself is one when it matches. One indexed query: the
// asking container's endpoints (primary key), the endpoints on those
// networks (endpoints_network), their containers (primary key).
func (tx *Tx) Peers(q PeerQuery) ([]Peer, error) {
	var sb strings.Builder
	sb.WriteString(`SELECT c.id, c.name, n.name, e.ip, c.state
		FROM endpoints AS me
		JOIN networks AS n ON n.id = me.network_id
		JOIN endpoints AS e ON e.network_id = me.network_id
		JOIN containers AS c ON c.id = e.container_id
		WHERE me.container_id = ?`)
	args := []any{q.Of}
	if q.Name != "" {
		sb.WriteString(` AND (c.name = ? COLLATE NOCASE OR substr(c.id, 1, 12) = lower(?)
			OR EXISTS (SELECT 1 FROM json_each(e.aliases) AS a WHERE a.value = ? COLLATE NOCASE))`)
		args = append(args, q.Name, q.Name, q.Name)
	}
	if q.Addr != "" {
		sb.WriteString(` AND e.ip = ?`)
		args = append(args, q.Addr)
	}
	if q.Network != "" {
		sb.WriteString(` AND n.name = ?`)
		args = append(args, q.Network)
	}
	if q.Except != "" {
		sb.WriteString(` AND n.name <> ?`)
		args = append(args, q.Except)
	}
	rows, err := tx.tx.QueryContext(tx.ctx, sb.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Peer
	for rows.Next() {
		var p Peer
		var st string
		if err := rows.Scan(&p.ContainerID, &p.Name, &p.Network, &p.IP, &st); err != nil {
			return nil, err
		}
		p.State = []byte(st)
		out = append(out, p)
	}
	return out, rows.Err()
}
