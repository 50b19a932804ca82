package image

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"berth/engine/errdefs"
	"berth/engine/events"
	"berth/engine/store"
)

// An archive written by Save is both a docker-archive (manifest.json lists
// each image's config, layers and tags) and an OCI image layout (oci-layout,
// index.json, blobs/sha256/...), as Docker 25 writes it: docker load, podman
// load and skopeo read it, and Load reads what they write.
//
// Load spools every file of the archive that may be a blob into the content
// store (leased while it runs), because the tar names which files the images
// use only at its end (manifest.json, index.json); when it ends, by success,
// error or cancellation, it deletes what it brought in that no image
// references. A load killed outright leaves that to CollectLeftovers.

// archiveEntry is one image of manifest.json.
type archiveEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// Save writes the images refs name, with their tags, to w as one tar.
func (s *Service) Save(ctx context.Context, refs []string, w io.Writer) error {
	type saved struct {
		img  store.Image
		tags []string // full names
	}
	var imgs []*saved
	byID := map[string]*saved{}
	err := s.db.View(ctx, func(tx *store.Tx) error {
		for _, ref := range refs {
			img, err := s.resolve(tx, ref)
			if err != nil {
				return err
			}
			sv := byID[img.ID]
			if sv == nil {
				sv = &saved{img: img}
				byID[img.ID] = sv
				imgs = append(imgs, sv)
			}
			if r, err := ParseRef(ref); err == nil && r.Tag != "" {
				if id, err := tx.TagTarget(r.String()); err == nil && id == img.ID {
					sv.tags = append(sv.tags, r.String())
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	written := map[string]bool{}
	var entries []archiveEntry
	index := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}
	for _, sv := range imgs {
		if err := ctx.Err(); err != nil {
			return canceled(ctx, "save")
		}
		e := archiveEntry{Config: blobPath(sv.img.ID), RepoTags: familiarAll(sv.tags)}
		blobs := []string{sv.img.ManifestDigest, sv.img.ID}
		for _, l := range sv.img.Layers {
			e.Layers = append(e.Layers, blobPath(l.BlobDigest))
			blobs = append(blobs, l.BlobDigest)
		}
		for _, d := range blobs {
			if written[d] {
				continue
			}
			written[d] = true
			if err := s.writeBlob(ctx, tw, d); err != nil {
				if ctx.Err() != nil {
					return canceled(ctx, "save")
				}
				return err
			}
		}
		entries = append(entries, e)
		size, _ := s.blobs.Stat(sv.img.ManifestDigest)
		desc := v1.Descriptor{MediaType: types.MediaType(sv.img.ManifestMediaType), Size: size,
			Digest: mustHash(sv.img.ManifestDigest), Platform: &v1.Platform{OS: sv.img.OS, Architecture: sv.img.Arch, Variant: sv.img.Variant}}
		if len(sv.tags) == 0 {
			index.Manifests = append(index.Manifests, desc)
		}
		for _, t := range sv.tags {
			d := desc
			r, _ := ParseRef(t)
			d.Annotations = map[string]string{"io.containerd.image.name": t, "org.opencontainers.image.ref.name": r.Tag}
			index.Manifests = append(index.Manifests, d)
		}
	}
	files := []struct {
		name string
		v    any
	}{{"index.json", index}, {"manifest.json", entries}, {"oci-layout", map[string]string{"imageLayoutVersion": "1.0.0"}}}
	for _, f := range files {
		b, err := json.Marshal(f.v)
		if err != nil {
			return err
		}
		if err := writeTarFile(tw, f.name, int64(len(b)), bytes.NewReader(b)); err != nil {
			return err
		}
	}
	return tw.Close()
}

func blobPath(d string) string { return "blobs/sha256/" + strings.TrimPrefix(d, "sha256:") }

func mustHash(d string) v1.Hash {
	h, _ := v1.NewHash(d)
	return h
}

func (s *Service) writeBlob(ctx context.Context, tw *tar.Writer, d string) error {
	f, err := s.blobs.Open(d)
	if err != nil {
		return errdefs.Wrap(errdefs.ErrNotFound, err, "blob %s is missing from the store: pull the image again", d)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return writeTarFile(tw, blobPath(d), fi.Size(), ctxReader{ctx, f})
}

// ctxReader fails its reads once ctx is done, so that copying a large
// layer stops at Ctrl-C rather than at the end of the layer.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// canceled is the error of a save or load stopped by ctx.
func canceled(ctx context.Context, what string) error {
	return errdefs.Wrap(errdefs.ErrCanceled, ctx.Err(), "%s canceled", what)
}

func writeTarFile(tw *tar.Writer, name string, size int64, r io.Reader) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o444, Size: size, ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	_, err := io.Copy(tw, r)
	return err
}

// maxArchiveMeta bounds the JSON files of an archive held in memory.
const maxArchiveMeta = 16 << 20

// loader is one Load in flight: which archive path holds which blob, and
// what the load brought into the store.
type loader struct {
	s     *Service
	owner store.Owner
	paths map[string]string // archive path -> blob digest
	meta  map[string][]byte // the archive's own files (manifest.json, ...)
	blobs map[string]bool   // blobs this load stored that were not there before
	snaps map[string]bool   // snapshots this load unpacked
}

// Load reads a docker-archive or OCI layout tar and stores its images.
// Nothing is written by the paths the archive names: every file goes into
// the content store by its digest, so a hostile archive cannot write
// anywhere else. When Load returns, the store holds only what the images it
// recorded use (and what it held before).
func (s *Service) Load(ctx context.Context, r io.Reader) (res LoadResult, err error) {
	l := &loader{s: s, owner: store.Operation(), paths: map[string]string{}, meta: map[string][]byte{},
		blobs: map[string]bool{}, snaps: map[string]bool{}}
	defer func() {
		if ctx.Err() != nil && err != nil {
			err = canceled(ctx, "load")
		}
		if ferr := l.finish(context.WithoutCancel(ctx)); err == nil && ferr != nil {
			err = ferr
		}
	}()
	if err := l.read(ctx, tar.NewReader(ctxReader{ctx, r})); err != nil {
		return LoadResult{}, err
	}
	var imgs []loadedImage
	switch {
	case l.meta["manifest.json"] != nil:
		imgs, err = l.fromDockerManifest()
	case l.meta["index.json"] != nil:
		imgs, err = l.fromOCIIndex()
	default:
		return LoadResult{}, errdefs.InvalidArgument("the archive has neither manifest.json nor index.json: give a tar made by berth save, docker save or podman save")
	}
	if err != nil {
		return LoadResult{}, err
	}
	for _, im := range imgs {
		if err := l.store(ctx, im); err != nil {
			return res, err
		}
		if len(im.tags) == 0 {
			res.Loaded = append(res.Loaded, "Loaded image ID: "+im.rec.ID)
		}
		for _, t := range im.tags {
			res.Loaded = append(res.Loaded, "Loaded image: "+Familiar(t))
		}
	}
	return res, nil
}

// finish drops the load's leases and deletes the blobs and snapshots it
// brought in that no image references and no other live operation leases:
// the archive's files that are no blob of an image (the per-layer json and
// VERSION files of old docker-archives, nested indexes), and the layers of
// images it did not get to record.
func (l *loader) finish(ctx context.Context) error {
	return l.s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteLeases(l.owner); err != nil {
			return err
		}
		if len(l.blobs)+len(l.snaps) == 0 {
			return nil
		}
		keep, err := tx.LiveLeases()
		if err != nil {
			return err
		}
		refs, err := tx.ReferencedDigests()
		if err != nil {
			return err
		}
		for d := range l.blobs {
			if !keep[d] && !refs[d] {
				if err := l.s.blobs.Delete(d); err != nil {
					return err
				}
			}
		}
		for d := range l.snaps {
			if !keep[d] && !refs[d] {
				if err := l.s.snaps.Remove(d); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// lease records that this load needs digest; call it before looking
// whether the store has it, so that no collection removes it in between.
func (l *loader) lease(ctx context.Context, digest string) error {
	return l.s.db.Update(ctx, func(tx *store.Tx) error { return tx.AddLeases(l.owner, digest) })
}

// archiveMeta reports whether name is one of the archive's own files, which
// are read into memory and never stored.
func archiveMeta(name string) bool {
	switch name {
	case "manifest.json", "index.json", "oci-layout", "repositories":
		return true
	}
	return false
}

// legacyLayerFile reports whether name is the json or VERSION file of a
// layer directory of an old docker-archive (<id>/json, <id>/VERSION), which
// no image uses.
func legacyLayerFile(name string) bool {
	dir, base := path.Split(name)
	return strings.Count(dir, "/") == 1 && (base == "json" || base == "VERSION")
}

// read consumes the tar: the archive's own files into memory, everything
// else into the content store, verified against its name when the name is
// a digest.
func (l *loader) read(ctx context.Context, tr *tar.Reader) error {
	seen := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			if !seen {
				return errdefs.InvalidArgument("the archive is empty: give a tar made by berth save or docker save")
			}
			return nil
		}
		if err != nil {
			if !seen {
				return errdefs.InvalidArgument("the input is not a tar archive (%s): give a file made by berth save or docker save", errdefs.Printable(err.Error()))
			}
			return errdefs.DataCorrupt("the archive is truncated or corrupt (%s)", errdefs.Printable(err.Error()))
		}
		seen = true
		if hdr.Typeflag != tar.TypeReg && hdr.Typeflag != tar.TypeRegA {
			continue
		}
		name := path.Clean(strings.TrimPrefix(hdr.Name, "./"))
		switch {
		case archiveMeta(name):
			if hdr.Size > maxArchiveMeta {
				return errdefs.InvalidArgument("archive file %q is too large (%d bytes)", name, hdr.Size)
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				return errdefs.DataCorrupt("the archive is truncated (%s)", errdefs.Printable(err.Error()))
			}
			l.meta[name] = b
		case legacyLayerFile(name):
		default:
			// Configs of old docker-archives (<hex>.json) are blobs too.
			if err := l.ingest(ctx, name, hdr.Size, tr); err != nil {
				return err
			}
		}
	}
}

// ingest stores one archive file as a blob; a file under blobs/sha256/ must
// match the digest its name claims.
func (l *loader) ingest(ctx context.Context, name string, size int64, r io.Reader) error {
	expected := ""
	if hexPart, ok := strings.CutPrefix(name, "blobs/sha256/"); ok {
		expected = "sha256:" + hexPart
	}
	w, err := l.s.blobs.Writer(expected, size)
	if err != nil {
		return errdefs.Wrap(errdefs.ErrInvalidArgument, err, "archive file %q: %s", name, errdefs.Printable(err.Error()))
	}
	defer w.Abort()
	if _, err := io.Copy(w, r); err != nil {
		if errdefs.Classified(err) {
			return err
		}
		return errdefs.DataCorrupt("archive file %q is truncated (%s)", name, errdefs.Printable(err.Error()))
	}
	if err := w.Verify(); err != nil {
		return errdefs.Wrap(errdefs.ErrDataCorrupt, err, "archive file %q does not match its digest: the archive is corrupt", name)
	}
	d := w.Digest()
	if err := l.lease(ctx, d); err != nil {
		return err
	}
	l.paths[name] = d
	if l.s.blobs.Exists(d) {
		return nil // the deferred Abort drops the copy
	}
	if err := w.Commit(); err != nil {
		return err
	}
	l.blobs[d] = true
	return nil
}

// loadedImage is an image found in the archive, before it is stored.
type loadedImage struct {
	rec      store.Image
	manifest []byte // nil when the archive has none (old docker-archive)
	tags     []string
}

func (l *loader) blob(p string) (string, error) {
	d, ok := l.paths[path.Clean(p)]
	if !ok {
		return "", errdefs.DataCorrupt("the archive names %q but does not contain it", p)
	}
	return d, nil
}

func (l *loader) fromDockerManifest() ([]loadedImage, error) {
	var entries []archiveEntry
	if err := json.Unmarshal(l.meta["manifest.json"], &entries); err != nil {
		return nil, errdefs.DataCorrupt("the archive's manifest.json is not valid JSON: %s", errdefs.Printable(err.Error()))
	}
	var out []loadedImage
	for _, e := range entries {
		cfg, err := l.blob(e.Config)
		if err != nil {
			return nil, err
		}
		var layers []string
		for _, p := range e.Layers {
			d, err := l.blob(p)
			if err != nil {
				return nil, err
			}
			layers = append(layers, d)
		}
		im, err := l.image(cfg, layers, nil)
		if err != nil {
			return nil, err
		}
		for _, t := range e.RepoTags {
			r, err := ParseRef(t)
			if err != nil || r.Tag == "" {
				return nil, errdefs.DataCorrupt("the archive's manifest.json has a bad tag %q", t)
			}
			im.tags = append(im.tags, r.String())
		}
		out = append(out, im)
	}
	return out, nil
}

func (l *loader) fromOCIIndex() ([]loadedImage, error) {
	idx, err := v1.ParseIndexManifest(bytes.NewReader(l.meta["index.json"]))
	if err != nil {
		return nil, errdefs.DataCorrupt("the archive's index.json is not valid: %s", errdefs.Printable(err.Error()))
	}
	want, _ := parsePlatform("")
	var out []loadedImage
	for _, d := range idx.Manifests {
		if d.MediaType.IsIndex() {
			// A nested multi-platform index: take the default platform.
			raw, err := l.s.blobs.ReadAll(d.Digest.String())
			if err != nil {
				return nil, errdefs.DataCorrupt("the archive's index names %s but does not contain it", d.Digest)
			}
			inner, err := v1.ParseIndexManifest(bytes.NewReader(raw))
			if err != nil {
				return nil, errdefs.DataCorrupt("nested index %s is not valid: %s", d.Digest, errdefs.Printable(err.Error()))
			}
			found := false
			for _, m := range inner.Manifests {
				if m.Platform != nil && matchPlatform(*m.Platform, want) {
					m.Annotations = d.Annotations
					d, found = m, true
					break
				}
			}
			if !found {
				continue
			}
		}
		raw, err := l.s.blobs.ReadAll(d.Digest.String())
		if err != nil {
			return nil, errdefs.DataCorrupt("the archive's index names %s but does not contain it", d.Digest)
		}
		m, err := v1.ParseManifest(bytes.NewReader(raw))
		if err != nil {
			return nil, errdefs.DataCorrupt("manifest %s in the archive is not valid: %s", d.Digest, errdefs.Printable(err.Error()))
		}
		var layers []string
		for _, ld := range m.Layers {
			layers = append(layers, ld.Digest.String())
		}
		im, err := l.image(m.Config.Digest.String(), layers, raw)
		if err != nil {
			return nil, err
		}
		im.rec.ManifestMediaType = string(d.MediaType)
		for i, ld := range m.Layers {
			im.rec.Layers[i].MediaType = string(ld.MediaType)
		}
		if n := imageName(d.Annotations); n != "" {
			im.tags = append(im.tags, n)
		}
		out = append(out, im)
	}
	if len(out) == 0 {
		return nil, errdefs.NotFound("the archive holds no image for %s", DefaultPlatform)
	}
	return out, nil
}

// imageName reads the name an OCI layout gives a manifest, if it is a full one.
func imageName(ann map[string]string) string {
	for _, k := range []string{"io.containerd.image.name", "org.opencontainers.image.ref.name"} {
		if n := ann[k]; strings.ContainsAny(n, ":/") {
			if r, err := ParseRef(n); err == nil && r.Tag != "" {
				return r.String()
			}
		}
	}
	return ""
}

// image builds the record of an archived image from its config and layer
// blobs, checking the config.
func (l *loader) image(configDigest string, layers []string, manifest []byte) (loadedImage, error) {
	raw, err := l.s.blobs.ReadAll(configDigest)
	if err != nil {
		return loadedImage{}, errdefs.DataCorrupt("the archive lacks config %s", configDigest)
	}
	var cfg v1.ConfigFile
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return loadedImage{}, errdefs.DataCorrupt("config %s in the archive is not valid JSON: %s", ShortID(configDigest), errdefs.Printable(err.Error()))
	}
	if len(cfg.RootFS.DiffIDs) != len(layers) {
		return loadedImage{}, errdefs.DataCorrupt("image %s in the archive lists %d layers but its config %d", ShortID(configDigest), len(layers), len(cfg.RootFS.DiffIDs))
	}
	rec := store.Image{ID: configDigest, OS: cfg.OS, Arch: cfg.Architecture, Variant: cfg.Variant,
		Created: cfg.Created.Time, Added: time.Now()}
	for i, d := range layers {
		size, _ := l.s.blobs.Stat(d)
		diffID := cfg.RootFS.DiffIDs[i].String()
		mt := types.DockerLayer
		if d == diffID {
			mt = types.DockerUncompressedLayer
		}
		rec.Layers = append(rec.Layers, store.Layer{BlobDigest: d, BlobSize: size, DiffID: diffID, MediaType: string(mt)})
	}
	return loadedImage{rec: rec, manifest: manifest}, nil
}

// store unpacks the image's missing layers, writes a manifest if the archive
// had none, and records the image with its tags.
func (l *loader) store(ctx context.Context, im loadedImage) error {
	for i := range im.rec.Layers {
		ly := &im.rec.Layers[i]
		if err := l.lease(ctx, ly.DiffID); err != nil {
			return err
		}
		if l.s.snaps.Exists(ly.DiffID) {
			ly.Size = l.s.snapshotSize(ctx, ly.DiffID)
			continue
		}
		f, err := l.s.blobs.Open(ly.BlobDigest)
		if err != nil {
			return err
		}
		pend, n, err := l.s.unpackLayer(ctx, "layer "+ShortID(ly.BlobDigest), ly.DiffID, f)
		f.Close()
		if err != nil {
			return err
		}
		if err := pend.Commit(); err != nil {
			return err
		}
		l.snaps[ly.DiffID] = true
		ly.Size = n
	}
	for _, ly := range im.rec.Layers {
		im.rec.Size += ly.Size
	}
	if im.manifest == nil {
		var err error
		if im.manifest, err = l.schema2Manifest(im.rec); err != nil {
			return err
		}
		im.rec.ManifestMediaType = string(types.DockerManifestSchema2)
	}
	d := digestOf(im.manifest)
	if err := l.lease(ctx, d); err != nil {
		return err
	}
	if !l.s.blobs.Exists(d) {
		if _, err := l.s.blobs.Put(im.manifest); err != nil {
			return err
		}
		l.blobs[d] = true
	}
	im.rec.ManifestDigest = d
	return l.s.db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.PutImage(im.rec); err != nil {
			return err
		}
		for _, t := range im.tags {
			if _, err := tx.SetTag(t, im.rec.ID); err != nil {
				return err
			}
		}
		return tx.AddEvent(events.Event{Type: events.TypeImage, Action: events.ActionLoad, Actor: im.rec.ID,
			Attributes: map[string]string{"name": strings.Join(familiarAll(im.tags), ",")}})
	})
}

// schema2Manifest describes an image of an old docker-archive, which carries
// no manifest of its own.
func (l *loader) schema2Manifest(rec store.Image) ([]byte, error) {
	cfgSize, err := l.s.blobs.Stat(rec.ID)
	if err != nil {
		return nil, err
	}
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.DockerManifestSchema2,
		Config: v1.Descriptor{MediaType: types.DockerConfigJSON, Size: cfgSize, Digest: mustHash(rec.ID)}}
	for _, ly := range rec.Layers {
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.MediaType(ly.MediaType), Size: ly.BlobSize, Digest: mustHash(ly.BlobDigest)})
	}
	return json.Marshal(m)
}
