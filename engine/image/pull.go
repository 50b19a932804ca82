package image

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/sync/errgroup"

	"berth/engine/errdefs"
	"berth/engine/events"
	"berth/engine/progress"
	"berth/engine/snapshot"
	"berth/engine/store"
)

// DefaultPlatform is what a pull picks from a multi-platform index.
const DefaultPlatform = "linux/amd64"

// maxConfigSize bounds the manifest and config blobs held in memory.
const maxConfigSize = 16 << 20

// puller is one pull in flight.
type puller struct {
	s    *Service
	ref  Ref
	name string // familiar reference, for progress
	tr   http.RoundTripper
	send progress.Func
}

// Pull fetches ref into the store: manifest, config, and every layer not
// already present, downloaded in parallel and unpacked as it streams in.
func (s *Service) Pull(ctx context.Context, refStr string, opts PullOptions) (PullResult, error) {
	r, err := ParseRef(refStr)
	if err != nil {
		return PullResult{}, err
	}
	plat, err := parsePlatform(opts.Platform)
	if err != nil {
		return PullResult{}, err
	}
	p := &puller{s: s, ref: r, name: r.Familiar(), send: opts.Progress}
	if r.Tag != "" && !strings.HasSuffix(refStr, ":"+r.Tag) {
		p.message("Using default tag: " + r.Tag)
	}
	p.message(fmt.Sprintf("%s: Pulling from %s", firstNonEmpty(r.Tag, r.Digest), r.Path()))

	if p.tr, err = s.connect(ctx, r); err != nil {
		return PullResult{}, p.remoteError(ctx, err)
	}
	desc, err := remote.Get(r.ref, remote.WithContext(ctx), remote.WithTransport(p.tr))
	if err != nil {
		return PullResult{}, p.remoteError(ctx, err)
	}
	res := PullResult{Ref: r.String(), Digest: desc.Digest.String()}
	if id, ok := s.upToDate(ctx, r, res.Digest, plat); ok {
		res.ID, res.UpToDate = id, true
		p.message("Digest: " + res.Digest)
		p.message("Status: Image is up to date for " + p.name)
		return res, nil
	}
	img, err := p.pickImage(desc, plat)
	if err != nil {
		return PullResult{}, err
	}
	res.ID, err = p.fetchImage(ctx, img, res.Digest, opts.Parallel)
	if err != nil {
		return PullResult{}, err
	}
	p.message("Digest: " + res.Digest)
	p.message("Status: Downloaded newer image for " + p.name)
	return res, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (p *puller) message(m string) { p.send.Send(progress.Update{Ref: p.name, Message: m}) }

func parsePlatform(s string) (v1.Platform, error) {
	if s == "" {
		s = DefaultPlatform
	}
	pl, err := v1.ParsePlatform(s)
	if err != nil || pl.OS == "" || pl.Architecture == "" {
		return v1.Platform{}, errdefs.InvalidArgument("invalid platform %q: use os/arch[/variant], e.g. linux/amd64", s)
	}
	return *pl, nil
}

// upToDate reports whether the tag (or digest) already names the image the
// registry serves under digest, for the platform asked for.
func (s *Service) upToDate(ctx context.Context, r Ref, digest string, plat v1.Platform) (string, bool) {
	var id string
	err := s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		if id, err = tx.RepoDigestTarget(r.Repo, digest); err != nil {
			return err
		}
		img, err := tx.Image(id)
		if err != nil {
			return err
		}
		if !matchPlatform(v1.Platform{OS: img.OS, Architecture: img.Arch, Variant: img.Variant}, plat) {
			return errdefs.NotFound("another platform")
		}
		if r.Tag == "" {
			return nil
		}
		cur, err := tx.TagTarget(r.String())
		if err == nil && cur != id {
			err = errdefs.NotFound("tag moved")
		}
		return err
	})
	return id, err == nil
}

// pickImage selects the platform's image from an index, or takes the image.
func (p *puller) pickImage(desc *remote.Descriptor, want v1.Platform) (v1.Image, error) {
	switch mt := desc.MediaType; {
	case mt.IsIndex():
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, p.remoteError(context.Background(), err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return nil, errdefs.DataCorrupt("image %s: index is not valid: %v", p.name, err)
		}
		var have []string
		for _, m := range im.Manifests {
			if !runnable(m) {
				continue
			}
			if matchPlatform(*m.Platform, want) {
				img, err := idx.Image(m.Digest)
				if err != nil {
					return nil, p.remoteError(context.Background(), err)
				}
				return img, nil
			}
			if pl := m.Platform.String(); !slices.Contains(have, pl) {
				have = append(have, pl)
			}
		}
		if len(have) == 0 {
			return nil, errdefs.NotFound("no image for platform %s in %s: its index lists no runnable image, only attestations or other artifacts", want.String(), p.name)
		}
		return nil, errdefs.NotFound("no image for platform %s in %s: it has %s: choose one with --platform",
			want.String(), p.name, strings.Join(have, ", "))
	case mt.IsImage():
		img, err := desc.Image()
		if err != nil {
			return nil, p.remoteError(context.Background(), err)
		}
		return img, nil
	case mt.IsSchema1():
		return nil, errdefs.InvalidArgument("image %s uses a Docker schema 1 manifest, which berth does not read: push it again with a current client", p.name)
	default:
		return nil, errdefs.InvalidArgument("image %s: unsupported manifest media type %q", p.name, mt)
	}
}

// runnable reports whether an index entry is an image to run: not
// buildx's attestation manifests (provenance, SBOM), which carry the
// annotation vnd.docker.reference.type=attestation-manifest and the platform
// unknown/unknown, and whose layers are in-toto JSON, not tars. Docker never
// picks them; neither does berth, even for --platform unknown/unknown.
func runnable(m v1.Descriptor) bool {
	if m.Platform == nil || !m.MediaType.IsImage() {
		return false
	}
	if m.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
		return false
	}
	return m.Platform.OS != "unknown" && m.Platform.Architecture != "unknown"
}

// matchPlatform compares os, architecture and, when asked for, variant.
func matchPlatform(have, want v1.Platform) bool {
	if have.OS != want.OS || have.Architecture != want.Architecture {
		return false
	}
	return want.Variant == "" || have.Variant == want.Variant ||
		(have.Variant == "" && want.Architecture == "arm64" && want.Variant == "v8")
}

// layerJob is one layer to bring in.
type layerJob struct {
	blob      v1.Descriptor
	diffID    string
	short     string
	needBlob  bool
	needSnap  bool
	unpacked  int64
	mediaType string
}

// fetchImage brings in the manifest, config and layers of img and records the
// image under the pulled name. It returns the image ID.
func (p *puller) fetchImage(ctx context.Context, img v1.Image, servedDigest string, parallel int) (string, error) {
	rawManifest, err := img.RawManifest()
	if err != nil {
		return "", p.remoteError(ctx, err)
	}
	manifest, err := v1.ParseManifest(bytes.NewReader(rawManifest))
	if err != nil {
		return "", errdefs.DataCorrupt("image %s: manifest is not valid JSON: %v", p.name, err)
	}
	mt, _ := img.MediaType()
	manifestDigest := digestOf(rawManifest)
	configDigest := manifest.Config.Digest.String()
	rawConfig, err := p.fetchSmall(ctx, manifest.Config)
	if err != nil {
		return "", err
	}
	var cfg v1.ConfigFile
	if err := json.Unmarshal(rawConfig, &cfg); err != nil {
		return "", errdefs.DataCorrupt("image %s: config %s is not valid JSON (%v): the image is broken; rebuild or re-push it", p.name, ShortID(configDigest), err)
	}
	if len(cfg.RootFS.DiffIDs) != len(manifest.Layers) {
		return "", errdefs.DataCorrupt("image %s: manifest lists %d layers but config lists %d: the image is broken", p.name, len(manifest.Layers), len(cfg.RootFS.DiffIDs))
	}

	jobs := make([]*layerJob, len(manifest.Layers))
	leased := []string{manifestDigest, configDigest}
	for i, l := range manifest.Layers {
		jobs[i] = &layerJob{blob: l, diffID: cfg.RootFS.DiffIDs[i].String(), short: ShortID(l.Digest.String()), mediaType: string(l.MediaType)}
		leased = append(leased, l.Digest.String(), jobs[i].diffID)
	}
	// Lease first, then look: a concurrent removal cannot take what we rely on.
	owner := store.Operation()
	if err := p.s.db.Update(ctx, func(tx *store.Tx) error { return tx.AddLeases(owner, leased...) }); err != nil {
		return "", err
	}
	defer p.s.db.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.DeleteLeases(owner) })

	if err := p.fetchLayers(ctx, jobs, parallel); err != nil {
		if !errdefs.IsResourceExhausted(err) {
			err = errdefs.FromIO(err, "pull of "+p.name)
		}
		return "", err
	}
	if _, err := p.s.blobs.Put(rawManifest); err != nil {
		return "", err
	}
	if _, err := p.s.blobs.Put(rawConfig); err != nil {
		return "", err
	}
	rec := store.Image{
		ID: configDigest, ManifestDigest: manifestDigest, ManifestMediaType: string(mt),
		OS: cfg.OS, Arch: cfg.Architecture, Variant: cfg.Variant, Created: cfg.Created.Time, Added: time.Now(),
	}
	for _, j := range jobs {
		rec.Layers = append(rec.Layers, store.Layer{BlobDigest: j.blob.Digest.String(), MediaType: j.mediaType,
			BlobSize: j.blob.Size, DiffID: j.diffID, Size: j.unpacked})
		rec.Size += j.unpacked
	}
	return rec.ID, p.s.record(ctx, rec, p.ref, servedDigest)
}

// record stores the image and points the pulled name at it.
func (s *Service) record(ctx context.Context, rec store.Image, r Ref, servedDigest string) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.PutImage(rec); err != nil {
			return err
		}
		if r.Tag != "" {
			if _, err := tx.SetTag(r.String(), rec.ID); err != nil {
				return err
			}
		}
		if err := tx.AddRepoDigest(r.Repo, servedDigest, rec.ID); err != nil {
			return err
		}
		return tx.AddEvent(events.Event{Type: events.TypeImage, Action: events.ActionPull, Actor: rec.ID,
			Attributes: map[string]string{"name": r.Familiar()}})
	})
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// fetchSmall downloads a config blob into memory and verifies it.
func (p *puller) fetchSmall(ctx context.Context, d v1.Descriptor) ([]byte, error) {
	if d.Size > maxConfigSize {
		return nil, errdefs.InvalidArgument("image %s: config of %d bytes is larger than berth accepts (%d)", p.name, d.Size, maxConfigSize)
	}
	if b, err := p.s.blobs.ReadAll(d.Digest.String()); err == nil {
		return b, nil
	}
	body, err := p.openBlob(ctx, d.Digest.String())
	if err != nil {
		return nil, err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, maxConfigSize+1))
	if err != nil {
		return nil, p.interrupted(ctx, "config "+ShortID(d.Digest.String()), err)
	}
	if got := digestOf(b); got != d.Digest.String() || int64(len(b)) != d.Size {
		return nil, errdefs.DataCorrupt("image %s: config blob does not match its digest %s (got %s, %d bytes): the registry sent corrupt data", p.name, d.Digest, got, len(b))
	}
	return b, nil
}

// openBlob GETs a blob from the pulled repository.
func (p *puller) openBlob(ctx context.Context, digest string) (io.ReadCloser, error) {
	repo := p.ref.ref.Context()
	url := fmt.Sprintf("%s://%s/v2/%s/blobs/%s", repo.Scheme(), repo.RegistryStr(), repo.RepositoryStr(), digest)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Transport: p.tr}).Do(req)
	if err != nil {
		return nil, p.remoteError(ctx, err)
	}
	if resp.StatusCode != http.StatusOK {
		err := transport.CheckError(resp, http.StatusOK)
		resp.Body.Close()
		return nil, p.remoteError(ctx, err)
	}
	return resp.Body, nil
}

// fetchLayers runs the layer jobs, parallel at a time; the first failure
// cancels the rest, and each job removes what it had half-written.
func (p *puller) fetchLayers(ctx context.Context, jobs []*layerJob, parallel int) error {
	if parallel <= 0 {
		parallel = 3
	}
	for _, j := range jobs {
		j.needBlob = !p.s.blobs.Exists(j.blob.Digest.String())
		j.needSnap = !p.s.snaps.Exists(j.diffID)
		if !j.needBlob && !j.needSnap {
			j.unpacked = p.s.snapshotSize(ctx, j.diffID)
			p.layer(j, progress.AlreadyExists, j.blob.Size, j.blob.Size, nil)
			continue
		}
		p.layer(j, progress.Waiting, 0, j.blob.Size, nil)
	}
	g, gctx := errgroup.WithContext(ctx)
	// The limit covers the transfer; committing (syncing to disk) happens
	// outside it, so the next layer starts downloading meanwhile.
	slots := make(chan struct{}, parallel)
	for _, j := range jobs {
		if !j.needBlob && !j.needSnap {
			continue
		}
		g.Go(func() error {
			err := p.fetchLayer(gctx, j, slots)
			if err != nil {
				if ctx.Err() != nil {
					err = errdefs.Wrap(errdefs.ErrCanceled, ctx.Err(), "pull of %s canceled", p.name)
				}
				if gctx.Err() == nil || !errors.Is(err, context.Canceled) {
					p.layer(j, progress.Failed, 0, 0, err)
				}
				return err
			}
			p.layer(j, progress.Done, j.blob.Size, j.blob.Size, nil)
			return nil
		})
	}
	return g.Wait()
}

func (p *puller) layer(j *layerJob, st progress.State, cur, total int64, err error) {
	p.send.Send(progress.Update{Ref: p.name, ID: j.short, State: st, Current: cur, Total: total, Err: err})
}

// snapshotSize is the unpacked size of a stored layer, from the records of
// the images that have it, or by walking it.
func (s *Service) snapshotSize(ctx context.Context, diffID string) int64 {
	var n int64
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { n, err = tx.LayerSize(diffID); return err })
	if err != nil {
		n, _ = s.snaps.Size(diffID)
	}
	return n
}

// fetchLayer brings one layer in: the blob from the registry (or the store)
// streams through the digest check into the content store and, decompressed,
// through the diffID check into a new snapshot. Both are committed only when
// both digests match; on any failure both temp copies are removed.
func (p *puller) fetchLayer(ctx context.Context, j *layerJob, slots chan struct{}) error {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	held := true
	release := func() {
		if held {
			held = false
			<-slots
		}
	}
	defer release()
	digest := j.blob.Digest.String()
	counter := &countingReader{total: j.blob.Size, report: func(n, total int64) { p.layer(j, progress.Downloading, n, total, nil) }}
	if !j.needBlob {
		f, err := p.s.blobs.Open(digest)
		if err != nil {
			return err
		}
		defer f.Close()
		counter.r = f
		counter.report = func(n, total int64) { p.layer(j, progress.Extracting, n, total, nil) }
		pend, err := p.unpack(ctx, j, counter)
		if err != nil {
			return p.layerError(ctx, j, counter, err)
		}
		release()
		return pend.Commit()
	}

	body, err := p.openBlob(ctx, digest)
	if err != nil {
		return err
	}
	defer body.Close()
	w, err := p.s.blobs.Writer(digest, j.blob.Size)
	if err != nil {
		return err
	}
	defer w.Abort()
	counter.r = body
	src := io.TeeReader(counter, w)
	var pend snapshotPending = noSnapshot{}
	if j.needSnap {
		if pend, err = p.unpack(ctx, j, src); err != nil {
			// Bytes changed in transit break the decompressor before the
			// digest check can speak: let the digest say what went wrong.
			if ctx.Err() == nil && (counter.err == nil || counter.err == io.EOF) && (errdefs.IsDataCorrupt(err) || !errdefs.Classified(err)) {
				if _, cerr := io.Copy(io.Discard, src); cerr == nil {
					if verr := w.Verify(); verr != nil {
						return p.blobError(j, verr)
					}
				}
			}
			return p.layerError(ctx, j, counter, err)
		}
		defer pend.Abort()
	}
	// Whatever follows the end of the tar (or all of it, when only the blob
	// is missing) still goes through the digest check.
	if _, err := io.Copy(io.Discard, src); err != nil {
		return p.layerError(ctx, j, counter, err)
	}
	p.layer(j, progress.Verifying, j.blob.Size, j.blob.Size, nil)
	release()
	if err := w.Commit(); err != nil {
		return p.blobError(j, err)
	}
	return pend.Commit()
}

// blobError names the layer in a digest or size mismatch; other errors of
// the blob writer (a full disk) keep their own class and words.
func (p *puller) blobError(j *layerJob, err error) error {
	if !errdefs.IsDataCorrupt(err) {
		return err
	}
	return errdefs.Wrap(errdefs.ErrDataCorrupt, err, "layer %s of %s: %v", j.short, p.name, err)
}

// snapshotPending is an unpacked snapshot awaiting its commit.
type snapshotPending interface {
	Commit() error
	Abort()
}

type noSnapshot struct{}

func (noSnapshot) Commit() error { return nil }
func (noSnapshot) Abort()        {}

// unpack decompresses src into a new snapshot for the job's layer; the
// caller commits (or aborts) it.
func (p *puller) unpack(ctx context.Context, j *layerJob, src io.Reader) (snapshotPending, error) {
	pend, n, err := p.s.unpackLayer(ctx, fmt.Sprintf("layer %s of %s", j.short, p.name), j.diffID, src)
	if err != nil {
		return nil, err
	}
	j.unpacked = n
	return pend, nil
}

// unpackLayer decompresses src (gzip, zstd or plain tar) and applies it to a
// new snapshot for diffID, checking that the tar's digest is diffID. It
// returns the uncommitted snapshot and its unpacked size.
func (s *Service) unpackLayer(ctx context.Context, what, diffID string, src io.Reader) (*snapshot.Pending, int64, error) {
	pend, err := s.snaps.Begin(diffID)
	if err != nil {
		return nil, 0, err
	}
	n, err := applyChecked(ctx, pend, what, diffID, src)
	if err != nil {
		pend.Abort()
		return nil, 0, err
	}
	return pend, n, nil
}

func applyChecked(ctx context.Context, pend *snapshot.Pending, what, diffID string, src io.Reader) (int64, error) {
	dec, err := decompress(what, bufio.NewReaderSize(src, 128<<10))
	if err != nil {
		return 0, err
	}
	defer dec.Close()
	h := sha256.New()
	tee := io.TeeReader(dec, h)
	n, err := pend.Apply(ctx, tee)
	if err != nil {
		return 0, err
	}
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return 0, err
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != diffID {
		return 0, errdefs.DataCorrupt("%s: unpacked content has digest %s but the image config says %s: the image is broken", what, got, diffID)
	}
	return n, nil
}

// decompress picks the decompressor by the stream's first bytes: gzip, zstd,
// or none (a plain tar), whatever the media type claims.
func decompress(what string, br *bufio.Reader) (io.ReadCloser, error) {
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, errdefs.DataCorrupt("%s: bad gzip stream (%v): the image is broken", what, err)
		}
		return zr, nil
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(128<<20))
		if err != nil {
			return nil, errdefs.DataCorrupt("%s: bad zstd stream (%v): the image is broken", what, err)
		}
		return zr.IOReadCloser(), nil
	default:
		return io.NopCloser(br), nil
	}
}

// layerError says whether a failed layer was cut off by the network (retry)
// or is broken (the image is at fault).
func (p *puller) layerError(ctx context.Context, j *layerJob, c *countingReader, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if c.err != nil && !errors.Is(c.err, io.EOF) {
		return p.interrupted(ctx, "layer "+j.short, c.err)
	}
	if errdefs.Classified(err) {
		return err // already a berth error (bad tar path, corrupt data, disk full)
	}
	if c.n < j.blob.Size && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)) {
		return p.interrupted(ctx, "layer "+j.short, io.ErrUnexpectedEOF)
	}
	return errdefs.Wrap(errdefs.ErrDataCorrupt, err, "layer %s of %s is corrupt (%v): the image is broken; rebuild or re-push it", j.short, p.name, err)
}

// interrupted is the error of a download cut off half-way.
func (p *puller) interrupted(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errdefs.Wrap(errdefs.ErrUnavailable, err, "%s of %s: download interrupted (%v): check the registry and pull again", what, p.name, err)
}

// remoteError turns registry and network errors into classified one-liners.
func (p *puller) remoteError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errdefs.Wrap(errdefs.ErrCanceled, ctx.Err(), "pull of %s canceled", p.name)
	}
	reg := p.ref.ref.Context().RegistryStr()
	// First: a registry on a private address that fails TLS verification
	// also fails the plain-HTTP fallback, with a 400 that says nothing.
	if ce, isCert := certError(err); isCert {
		return errdefs.Wrap(errdefs.ErrUnavailable, err, "registry %s presents a certificate berth cannot verify (%s): add its CA to the system's trust store (or SSL_CERT_FILE) or fix the certificate", reg, shortReason(ce))
	}
	var te *transport.Error
	if errors.As(err, &te) {
		code := transport.ErrorCode("")
		if len(te.Errors) > 0 {
			code = te.Errors[0].Code
		}
		switch {
		case te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden ||
			code == transport.UnauthorizedErrorCode || code == transport.DeniedErrorCode:
			return errdefs.Wrap(errdefs.ErrUnauthorized, err, "pull access denied for %s: the repository does not exist or needs credentials: log in to %s (docker login %s) and retry", p.name, reg, reg)
		case code == transport.NameUnknownErrorCode:
			return errdefs.Wrap(errdefs.ErrNotFound, err, "repository %s not found in registry %s: check the name", p.ref.Path(), reg)
		case code == transport.ManifestUnknownErrorCode || te.StatusCode == http.StatusNotFound:
			return errdefs.Wrap(errdefs.ErrNotFound, err, "manifest for %s not found: no such tag or digest in %s", p.name, p.ref.Repo)
		case te.StatusCode == http.StatusTooManyRequests:
			return errdefs.Wrap(errdefs.ErrUnavailable, err, "registry %s refuses more requests for now (429): wait and retry", reg)
		default:
			return errdefs.Wrap(errdefs.ErrUnavailable, err, "registry %s answered %d for %s: retry later", reg, te.StatusCode, p.name)
		}
	}
	if errdefs.Classified(err) {
		return err
	}
	var ne net.Error
	msg := shortReason(err)
	switch {
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return errdefs.Wrap(errdefs.ErrUnavailable, err, "registry %s speaks plain HTTP: berth uses plain HTTP only for registries on localhost, 127.0.0.1, [::1] or a private IPv4 address (10/8, 172.16/12, 192.168/16)", reg)
	case errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return errdefs.Wrap(errdefs.ErrUnavailable, err, "registry %s is unreachable (%s): check the address and that it runs", reg, netReason(err))
	}
	return errdefs.Wrap(errdefs.ErrUnavailable, err, "pull of %s from registry %s failed (%s)", p.name, reg, msg)
}

// countingReader counts bytes and reports at most every 100 ms, and once at
// the end; it remembers the read error it saw.
type countingReader struct {
	r      io.Reader
	n      int64
	total  int64
	err    error
	last   time.Time
	report func(n, total int64)
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	if err != nil {
		c.err = err
	}
	if now := time.Now(); err != nil || now.Sub(c.last) >= 100*time.Millisecond || c.n == c.total {
		c.last = now
		c.report(c.n, c.total)
	}
	return n, err
}
