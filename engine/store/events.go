package store

import (
	"context"
	"encoding/json"
	"time"

	"berth/engine/events"
)

// keepEvents is how many events the table keeps; older ones are trimmed.
const keepEvents = 10000

// AddEvent records ev in this transaction, so it is seen exactly when the
// change it describes is.
func (tx *Tx) AddEvent(ev events.Event) error {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	attrs, err := json.Marshal(ev.Attributes)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO events (time, type, action, actor, attrs) VALUES (?,?,?,?,?)`,
		ev.Time.UnixNano(), string(ev.Type), ev.Action, ev.Actor, string(attrs))
	if err != nil {
		return err
	}
	if id, err := res.LastInsertId(); err == nil && id%1000 == 0 {
		return tx.exec(`DELETE FROM events WHERE id <= ?`, id-keepEvents)
	}
	return nil
}

// EventsSince returns the events stored after afterID, oldest first, at
// most events.PageSize.
func (s *Store) EventsSince(ctx context.Context, afterID int64) ([]events.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, time, type, action, actor, attrs FROM events WHERE id > ? ORDER BY id LIMIT ?`, afterID, events.PageSize)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []events.Event
	for rows.Next() {
		var ev events.Event
		var t int64
		var typ, attrs string
		if err := rows.Scan(&ev.ID, &t, &typ, &ev.Action, &ev.Actor, &attrs); err != nil {
			return nil, err
		}
		ev.Time, ev.Type = time.Unix(0, t), events.Type(typ)
		_ = json.Unmarshal([]byte(attrs), &ev.Attributes)
		out = append(out, ev)
	}
	return out, rows.Err()
}

// LastEventID is the ID of the newest event (0 if none).
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&id)
	return id, err
}

// LastEventIDBefore is the ID of the newest event older than t (0 if none).
func (s *Store) LastEventIDBefore(ctx context.Context, t time.Time) (int64, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM events WHERE time < ?`, t.UnixNano()).Scan(&id)
	return id, err
}
