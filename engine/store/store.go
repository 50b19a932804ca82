// Package store is berth's metadata database: one SQLite file, <root>/db, in
// WAL mode, shared safely by every berth process on the same root (a TUI left
// open while CLI commands run). Writers take the write lock at BEGIN
// (BEGIN IMMEDIATE) and wait up to 30 s for it (giving up early when their
// context ends), so no transaction ever fails with "database is locked"
// half-way; readers never block writers. The files are owner-only (0600).
//
// All access goes through View (read-only) and Update (read-write), each one
// transaction; the typed methods on Tx are the only SQL in berth.
//
// Schema version 1 (PRAGMA user_version; migrations[] below upgrades older
// files in order, inside one transaction):
//
//	images(id PK "sha256:<config hex>", manifest_digest, manifest_media_type,
//	       os, arch, variant, created unix-ns, size unpacked bytes, added unix-ns)
//	image_layers(image_id FK images ON DELETE CASCADE, idx, blob_digest,
//	       media_type, blob_size, diff_id, size unpacked bytes; PK(image_id, idx))
//	tags(name PK full reference "docker.io/library/busybox:latest", image_id FK images)
//	repo_digests(repo, digest, image_id FK images ON DELETE CASCADE; PK(repo, digest))
//	       digest is what the registry served for repo (an index digest for
//	       multi-arch images), shown as repo@digest
//	leases(owner "pid:starttime", digest): blobs and snapshots an operation in
//	       flight needs; garbage collection keeps them while the owner lives
//	events(id PK autoincrement, time unix-ns, type, action, actor, attrs JSON)
//
// Version 2 adds:
//
//	containers(id PK 64 hex, name UNIQUE, image_id, created unix-ns,
//	       config JSON of container.Config (fixed), state JSON of
//	       container.State (changes as the container lives))
//
// Version 3 adds networks and volumes:
//
//	networks(id PK 64 hex, name UNIQUE, driver "bridge"|"host"|"null",
//	       created unix-ns, config JSON of the network package's config:
//	       subnet, gateway, bridge name, options, labels)
//	endpoints(container_id FK containers ON DELETE CASCADE, network_id FK
//	       networks, ip (the address handed out: UNIQUE per network, which
//	       is the IPAM's guarantee across processes), mac, aliases JSON
//	       array; PK(container_id, network_id)): a container attached to a
//	       network, from create (or connect) until rm (or disconnect)
//	volumes(name PK, driver "local", created unix-ns, anonymous 0|1,
//	       labels JSON)
//	container_volumes(container_id FK containers ON DELETE CASCADE, volume
//	       FK volumes; PK both): which containers mount which volumes; a
//	       volume with rows here cannot be deleted (the foreign key says so)
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"

	"github.com/mattn/go-sqlite3" // the SQLite driver, "sqlite3"
)

// migrations[i] brings a database from user_version i to i+1.
var migrations = []string{
	`CREATE TABLE images (
		id TEXT PRIMARY KEY,
		manifest_digest TEXT NOT NULL,
		manifest_media_type TEXT NOT NULL,
		os TEXT NOT NULL, arch TEXT NOT NULL, variant TEXT NOT NULL DEFAULT '',
		created INTEGER NOT NULL,
		size INTEGER NOT NULL,
		added INTEGER NOT NULL
	);
	CREATE TABLE image_layers (
		image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
		idx INTEGER NOT NULL,
		blob_digest TEXT NOT NULL,
		media_type TEXT NOT NULL,
		blob_size INTEGER NOT NULL,
		diff_id TEXT NOT NULL,
		size INTEGER NOT NULL,
		PRIMARY KEY (image_id, idx)
	);
	CREATE TABLE tags (
		name TEXT PRIMARY KEY,
		image_id TEXT NOT NULL REFERENCES images(id)
	);
	CREATE INDEX tags_image ON tags(image_id);
	CREATE TABLE repo_digests (
		repo TEXT NOT NULL,
		digest TEXT NOT NULL,
		image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
		PRIMARY KEY (repo, digest)
	);
	CREATE TABLE leases (
		owner TEXT NOT NULL,
		digest TEXT NOT NULL
	);
	CREATE INDEX leases_owner ON leases(owner);
	CREATE TABLE events (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		time INTEGER NOT NULL,
		type TEXT NOT NULL,
		action TEXT NOT NULL,
		actor TEXT NOT NULL,
		attrs TEXT NOT NULL DEFAULT '{}'
	);`,
	`CREATE TABLE containers (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		image_id TEXT NOT NULL,
		created INTEGER NOT NULL,
		config TEXT NOT NULL,
		state TEXT NOT NULL
	);
	CREATE INDEX containers_image ON containers(image_id);`,
	`CREATE TABLE networks (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		driver TEXT NOT NULL,
		created INTEGER NOT NULL,
		config TEXT NOT NULL
	);
	CREATE TABLE endpoints (
		container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
		network_id TEXT NOT NULL REFERENCES networks(id),
		ip TEXT NOT NULL,
		mac TEXT NOT NULL DEFAULT '',
		aliases TEXT NOT NULL DEFAULT '[]',
		PRIMARY KEY (container_id, network_id),
		UNIQUE (network_id, ip)
	);
	CREATE INDEX endpoints_network ON endpoints(network_id);
	CREATE TABLE volumes (
		name TEXT PRIMARY KEY,
		driver TEXT NOT NULL,
		created INTEGER NOT NULL,
		anonymous INTEGER NOT NULL DEFAULT 0,
		labels TEXT NOT NULL DEFAULT '{}'
	);
	CREATE TABLE container_volumes (
		container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
		volume TEXT NOT NULL REFERENCES volumes(name),
		PRIMARY KEY (container_id, volume)
	);
	CREATE INDEX container_volumes_volume ON container_volumes(volume);`,
}

// Version is the schema version this code writes.
var Version = len(migrations)

// Store is an open metadata database.
type Store struct {
	w    *sql.DB // one connection, BEGIN IMMEDIATE
	r    *sql.DB // readers, BEGIN DEFERRED
	path string
}

// Lock waits: a transaction that finds the database locked by another
// process tries again every busyPoll, for busyWait in all, and gives up
// early when its context ends, so Ctrl-C ends a command that waits.
const (
	busyPoll = 200 * time.Millisecond // SQLite's own busy handler waits this long per try
	busyWait = 30 * time.Second
)

// Open is OpenContext without a context of its own.
func Open(path string) (*Store, error) { return OpenContext(context.Background(), path) }

// OpenContext opens (creating and migrating if needed) the database at path. The
// database and its -wal and -shm files are owner-only (0600): containers'
// environments may hold secrets, and a lock another user could take on a
// readable -shm file would stall every writer.
func OpenContext(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	common := "file:" + path + "?_busy_timeout=" + strconv.Itoa(int(busyPoll/time.Millisecond)) + "&_foreign_keys=1&_synchronous=NORMAL&_journal_mode=WAL&_stmt_cache_size=32"
	w := sql.OpenDB(connector{dsn: common + "&_txlock=immediate"})
	w.SetMaxOpenConns(1)
	r := sql.OpenDB(connector{dsn: common + "&_txlock=deferred"})
	r.SetMaxOpenConns(4)
	s := &Store{w: w, r: r, path: path}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		if errdefs.Classified(err) {
			return nil, err
		}
		return nil, fmt.Errorf("metadata store %s: %w", path, err)
	}
	return s, nil
}

// connector opens SQLite connections that keep the -wal file when the last
// one closes (SQLITE_FCNTL_PERSIST_WAL), and Open reserves walReserve bytes
// of disk for it: on a full disk, the next berth can still read, and remove
// containers and images to free space, in blocks it already has.
//
// journal_size_limit keeps the WAL at most walReserve long when a writer
// starts it again, and makes the last connection to close empty it after
// its checkpoint: otherwise the next process to open the store reads every
// frame of a WAL already checkpointed to rebuild its index, 4 ms for 8 MB
// on each CLI command and at the TUI's start. Close reserves the blocks
// again at once (reserveWAL), so the reserve outlives the process.
type connector struct{ dsn string }

const walReserve = 2 << 20

func (c connector) Driver() driver.Driver { return c.driver() }

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.driver().Open(c.dsn) }

func (connector) driver() *sqlite3.SQLiteDriver {
	return &sqlite3.SQLiteDriver{ConnectHook: func(conn *sqlite3.SQLiteConn) error {
		if err := conn.SetFileControlInt("main", sqlite3.SQLITE_FCNTL_PERSIST_WAL, 1); err != nil {
			return err
		}
		_, err := conn.Exec("PRAGMA journal_size_limit = "+strconv.Itoa(walReserve), nil)
		return err
	}}
}

// ownerOnly creates the database file 0600 if it is missing (SQLite gives
// its -wal and -shm files the database's mode) and takes group and other
// access away from the files of an older berth.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return errdefs.FromIO(fmt.Errorf("metadata store %s: %w", path, err), "metadata store "+path)
	}
	f.Close()
	reserveWAL(path, os.O_CREATE)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, st.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("metadata store %s: %w", p, err)
			}
		}
	}
	return nil
}

// reserveWAL reserves walReserve bytes of disk for the WAL of the database
// at path, best effort: a full disk or a file system without fallocate. An
// empty WAL is a valid one; blocks reserved past its end
// (FALLOC_FL_KEEP_SIZE) are only space, never read as frames.
func reserveWAL(path string, create int) {
	if f, err := os.OpenFile(path+"-wal", os.O_RDWR|create, 0o600); err == nil {
		unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_KEEP_SIZE, 0, walReserve)
		f.Close()
	}
}

// Close closes the database. The last connection to close empties the WAL
// (see connector); its reserve is taken again.
func (s *Store) Close() error {
	err := errors.Join(s.r.Close(), s.w.Close())
	reserveWAL(s.path, 0)
	return err
}

// migrate brings the schema up to Version. It looks first without the write
// lock, so that opening a current database never waits for a writer.
func (s *Store) migrate(ctx context.Context) error {
	var v int
	if err := s.View(ctx, func(tx *Tx) error {
		return tx.tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v)
	}); err != nil {
		return err
	}
	if v == Version {
		return nil
	}
	return s.Update(ctx, func(tx *Tx) error {
		var v int
		if err := tx.tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return err
		}
		if v > Version {
			return errdefs.Conflict("database schema version %d is newer than this berth understands (%d): upgrade berth", v, Version)
		}
		for ; v < Version; v++ {
			if _, err := tx.tx.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
		}
		_, err := tx.tx.ExecContext(ctx, `PRAGMA user_version = `+strconv.Itoa(Version))
		return err
	})
}

// Tx is one transaction. Its methods are the store's vocabulary.
type Tx struct {
	ctx context.Context
	tx  *sql.Tx
}

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(*Tx) error) error {
	return s.run(ctx, s.r, fn, true)
}

// Update runs fn in a read-write transaction, committed if fn returns nil.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	return s.run(ctx, s.w, fn, false)
}

func (s *Store) run(ctx context.Context, db *sql.DB, fn func(*Tx) error, readOnly bool) error {
	// The transaction must not be cut by the caller's cancellation half-way
	// through a commit; cancellation is checked while it waits to start.
	sqlTx, err := s.begin(ctx, db)
	if err != nil {
		return err
	}
	tx := &Tx{ctx: context.WithoutCancel(ctx), tx: sqlTx}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		if errdefs.Classified(err) {
			return err
		}
		return s.classify(err)
	}
	if readOnly {
		return sqlTx.Rollback()
	}
	if err := sqlTx.Commit(); err != nil {
		return s.classify(fmt.Errorf("metadata store: %w", err))
	}
	return nil
}

// classify gives SQLite's "disk full" the class and message of a full disk.
func (s *Store) classify(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrFull {
		return errdefs.Wrap(errdefs.ErrResourceExhausted, err, "metadata store %s: no space left on the device holding the berth root: free some space (berth rm, berth image prune) and retry", s.path)
	}
	return errdefs.FromIO(err, "metadata store "+s.path)
}

// begin starts a transaction, trying again while another process holds
// the lock, until ctx ends or busyWait passes.
func (s *Store) begin(ctx context.Context, db *sql.DB) (*sql.Tx, error) {
	deadline := time.Now().Add(busyWait)
	for {
		if err := ctx.Err(); err != nil {
			return nil, errdefs.Wrap(errdefs.ErrCanceled, err, "stopped waiting for the metadata store %s: %v", s.path, context.Cause(ctx))
		}
		sqlTx, err := db.BeginTx(context.WithoutCancel(ctx), nil)
		if err == nil {
			return sqlTx, nil
		}
		if !busy(err) {
			return nil, s.classify(fmt.Errorf("metadata store: %w", err))
		}
		if time.Now().After(deadline) {
			return nil, errdefs.Wrap(errdefs.ErrUnavailable, err, "the metadata store %s is locked by another process for more than %v: see which one holds it with fuser %s, and retry", s.path, busyWait, s.path)
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// busy reports SQLite's "database is locked" (another process writes).
func busy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

func (tx *Tx) exec(q string, args ...any) error {
	_, err := tx.tx.ExecContext(tx.ctx, q, args...)
	return err
}
