package store

import (
	"database/sql"
	"errors"
	"time"

	"berth/engine/errdefs"
)

// Image is the stored record of one image (one platform's manifest).
type Image struct {
	ID                string // config digest
	ManifestDigest    string
	ManifestMediaType string
	OS, Arch, Variant string
	Created           time.Time
	Size              int64
	Added             time.Time
	Layers            []Layer // bottom first
}

// Layer is one layer of an image: its blob and its unpacked snapshot.
type Layer struct {
	BlobDigest string
	MediaType  string
	BlobSize   int64
	DiffID     string
	Size       int64
}

// Tag is a name pointing at an image.
type Tag struct {
	Name    string // full reference, e.g. docker.io/library/busybox:latest
	ImageID string
}

// RepoDigest records that repo served digest for an image.
type RepoDigest struct {
	Repo, Digest, ImageID string
}

// PutImage stores img unless an image with its ID is already stored.
// It reports whether it was new.
func (tx *Tx) PutImage(img Image) (bool, error) {
	res, err := tx.tx.ExecContext(tx.ctx, `INSERT OR IGNORE INTO images
		(id, manifest_digest, manifest_media_type, os, arch, variant, created, size, added)
		VALUES (?,?,?,?,?,?,?,?,?)`,
		img.ID, img.ManifestDigest, img.ManifestMediaType, img.OS, img.Arch, img.Variant,
		img.Created.UnixNano(), img.Size, img.Added.UnixNano())
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	for i, l := range img.Layers {
		if err := tx.exec(`INSERT INTO image_layers
			(image_id, idx, blob_digest, media_type, blob_size, diff_id, size) VALUES (?,?,?,?,?,?,?)`,
			img.ID, i, l.BlobDigest, l.MediaType, l.BlobSize, l.DiffID, l.Size); err != nil {
			return false, err
		}
	}
	return true, nil
}

const imageCols = `id, manifest_digest, manifest_media_type, os, arch, variant, created, size, added`

func scanImage(row interface{ Scan(...any) error }) (Image, error) {
	var img Image
	var created, added int64
	err := row.Scan(&img.ID, &img.ManifestDigest, &img.ManifestMediaType, &img.OS, &img.Arch,
		&img.Variant, &created, &img.Size, &added)
	img.Created, img.Added = time.Unix(0, created), time.Unix(0, added)
	return img, err
}

// Image returns the image with this exact ID.
func (tx *Tx) Image(id string) (Image, error) {
	img, err := scanImage(tx.tx.QueryRowContext(tx.ctx, `SELECT `+imageCols+` FROM images WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return img, errdefs.NotFound("image %s not found", id)
	}
	if err != nil {
		return img, err
	}
	img.Layers, err = tx.layers(id)
	return img, err
}

func (tx *Tx) layers(id string) ([]Layer, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT blob_digest, media_type, blob_size, diff_id, size
		FROM image_layers WHERE image_id = ? ORDER BY idx`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Layer
	for rows.Next() {
		var l Layer
		if err := rows.Scan(&l.BlobDigest, &l.MediaType, &l.BlobSize, &l.DiffID, &l.Size); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Images returns every image with its layers, newest first.
func (tx *Tx) Images() ([]Image, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT `+imageCols+` FROM images ORDER BY created DESC, id`)
	if err != nil {
		return nil, err
	}
	var out []Image
	for rows.Next() {
		img, err := scanImage(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, img)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Layers, err = tx.layers(out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ImageIDsWithPrefix returns the IDs starting with "sha256:"+hexPrefix.
func (tx *Tx) ImageIDsWithPrefix(hexPrefix string) ([]string, error) {
	return tx.strings(`SELECT id FROM images WHERE substr(id, 8, ?) = ?`, len(hexPrefix), hexPrefix)
}

// DeleteImage removes an image record with its layers and repo digests.
// Its tags must be gone already.
func (tx *Tx) DeleteImage(id string) error {
	return tx.exec(`DELETE FROM images WHERE id = ?`, id)
}

// SetTag points name at imageID and returns the image it pointed at before ("" if none).
func (tx *Tx) SetTag(name, imageID string) (string, error) {
	old, err := tx.TagTarget(name)
	if err != nil && !errdefs.IsNotFound(err) {
		return "", err
	}
	return old, tx.exec(`INSERT INTO tags (name, image_id) VALUES (?, ?)
		ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id`, name, imageID)
}

// TagTarget returns the image a name points at.
func (tx *Tx) TagTarget(name string) (string, error) {
	var id string
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT image_id FROM tags WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errdefs.NotFound("tag %s not found", name)
	}
	return id, err
}

// DeleteTag removes a name.
func (tx *Tx) DeleteTag(name string) error {
	return tx.exec(`DELETE FROM tags WHERE name = ?`, name)
}

// Tags returns every tag, sorted by name.
func (tx *Tx) Tags() ([]Tag, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT name, image_id FROM tags ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Tag
	for rows.Next() {
		var t Tag
		if err := rows.Scan(&t.Name, &t.ImageID); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TagsOf returns the names pointing at imageID, sorted.
func (tx *Tx) TagsOf(imageID string) ([]string, error) {
	return tx.strings(`SELECT name FROM tags WHERE image_id = ? ORDER BY name`, imageID)
}

// AddRepoDigest records that repo served digest for imageID.
func (tx *Tx) AddRepoDigest(repo, digest, imageID string) error {
	return tx.exec(`INSERT INTO repo_digests (repo, digest, image_id) VALUES (?,?,?)
		ON CONFLICT(repo, digest) DO UPDATE SET image_id = excluded.image_id`, repo, digest, imageID)
}

// RepoDigestTarget returns the image that repo@digest names.
func (tx *Tx) RepoDigestTarget(repo, digest string) (string, error) {
	var id string
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT image_id FROM repo_digests WHERE repo = ? AND digest = ?`, repo, digest).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errdefs.NotFound("%s@%s not found", repo, digest)
	}
	return id, err
}

// RepoDigests returns every repo digest.
func (tx *Tx) RepoDigests() ([]RepoDigest, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT repo, digest, image_id FROM repo_digests ORDER BY repo, digest`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RepoDigest
	for rows.Next() {
		var d RepoDigest
		if err := rows.Scan(&d.Repo, &d.Digest, &d.ImageID); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeleteRepoDigests removes the repo digests of repo that point at imageID.
func (tx *Tx) DeleteRepoDigests(repo, imageID string) error {
	return tx.exec(`DELETE FROM repo_digests WHERE repo = ? AND image_id = ?`, repo, imageID)
}

func (tx *Tx) strings(q string, args ...any) ([]string, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// LayerSize is the unpacked size recorded for a layer by any image that has it.
func (tx *Tx) LayerSize(diffID string) (int64, error) {
	var n int64
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT size FROM image_layers WHERE diff_id = ? LIMIT 1`, diffID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errdefs.NotFound("layer %s not recorded", diffID)
	}
	return n, err
}

// ReferencedDigests returns every digest an image record names: image IDs
// (config blobs), manifest digests, layer blob digests and layer diff IDs
// (snapshots). What is not among them, nor leased, is garbage.
func (tx *Tx) ReferencedDigests() (map[string]bool, error) {
	ds, err := tx.strings(`SELECT id FROM images UNION SELECT manifest_digest FROM images
		UNION SELECT blob_digest FROM image_layers UNION SELECT diff_id FROM image_layers`)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ds))
	for _, d := range ds {
		out[d] = true
	}
	return out, nil
}
