package views

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"berth/engine/events"
	"berth/engine/image"
	"berth/engine/progress"
)

// fakeEngine is an in-memory Engine. Pulls block until the test finishes
// them, so that it can send progress in between.
type fakeEngine struct {
	mu       sync.Mutex
	images   []image.Summary
	removed  []removeCall
	inspects []string
	listErr  error
	rmErr    error
	lists    int

	pulls  chan *fakePull // each PullImage announces itself here
	events chan events.Event
}

type removeCall struct {
	Ref   string
	Force bool
}

// fakePull is one PullImage in progress, driven by the test.
type fakePull struct {
	Ref      string
	Progress progress.Func
	ctx      context.Context
	result   chan pullOutcome
}

type pullOutcome struct {
	add *image.Summary
	err error
}

func newFakeEngine(imgs ...image.Summary) *fakeEngine {
	return &fakeEngine{images: imgs, pulls: make(chan *fakePull, 16), events: make(chan events.Event, 16)}
}

func (f *fakeEngine) PullImage(ctx context.Context, ref string, opts image.PullOptions) (image.PullResult, error) {
	p := &fakePull{Ref: ref, Progress: opts.Progress, ctx: ctx, result: make(chan pullOutcome, 1)}
	f.pulls <- p
	var out pullOutcome
	select {
	case out = <-p.result:
	case <-ctx.Done():
		return image.PullResult{}, ctx.Err()
	}
	if out.err != nil {
		return image.PullResult{}, out.err
	}
	f.mu.Lock()
	f.images = append(f.images, *out.add)
	f.mu.Unlock()
	return image.PullResult{Ref: "docker.io/library/" + ref, ID: out.add.ID}, nil
}

// send reports progress as the engine would, stamping the time.
func (p *fakePull) send(u progress.Update) { p.Progress.Send(u) }

func (p *fakePull) finish(img image.Summary) { p.result <- pullOutcome{add: &img} }
func (p *fakePull) fail(err error)           { p.result <- pullOutcome{err: err} }

func (f *fakeEngine) ListImages(ctx context.Context) ([]image.Summary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	if f.listErr != nil {
		return nil, f.listErr
	}
	return slices.Clone(f.images), nil
}

func (f *fakeEngine) listCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lists
}

func (f *fakeEngine) InspectImage(ctx context.Context, ref string) (*image.Inspect, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inspects = append(f.inspects, ref)
	for _, img := range f.images {
		if img.ID == ref || slices.Contains(img.RepoTags, ref) {
			return &image.Inspect{ID: img.ID, RepoTags: img.RepoTags, Created: img.Created, Size: img.Size,
				Architecture: "amd64", Os: "linux", Config: []byte(`{"Cmd":["sh"]}`)}, nil
		}
	}
	return nil, errors.New("No such image: " + ref)
}

func (f *fakeEngine) RemoveImage(ctx context.Context, ref string, opts image.RemoveOptions) ([]image.RemoveResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, removeCall{ref, opts.Force})
	if f.rmErr != nil {
		return nil, f.rmErr
	}
	var res []image.RemoveResult
	for i := range f.images {
		img := &f.images[i]
		if img.ID == ref || opts.Force && slices.Contains(img.RepoTags, ref) {
			for _, t := range img.RepoTags {
				res = append(res, image.RemoveResult{Untagged: t})
			}
			res = append(res, image.RemoveResult{Deleted: img.ID})
			f.images = slices.Delete(f.images, i, i+1)
			return res, nil
		}
		if j := slices.Index(img.RepoTags, ref); j >= 0 {
			img.RepoTags = slices.Delete(img.RepoTags, j, j+1)
			res = append(res, image.RemoveResult{Untagged: ref})
			if len(img.RepoTags) == 0 {
				res = append(res, image.RemoveResult{Deleted: img.ID})
				f.images = slices.Delete(f.images, i, i+1)
			}
			return res, nil
		}
	}
	return nil, errors.New("No such image: " + ref)
}

func (f *fakeEngine) removeCalls() []removeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.removed)
}

func (f *fakeEngine) Events(ctx context.Context) <-chan events.Event { return f.events }

// addImage stores an image as another berth process would.
func (f *fakeEngine) addImage(img image.Summary) {
	f.mu.Lock()
	f.images = append(f.images, img)
	f.mu.Unlock()
}

// fixed clock of the tests.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// img makes a summary: id is a short hex that is repeated to 64 characters.
func img(id string, created time.Duration, size int64, tags ...string) image.Summary {
	hex := strings.Repeat(id, 64/len(id)+1)[:64]
	return image.Summary{ID: "sha256:" + hex, RepoTags: tags, Created: testNow.Add(-created), Size: size, Layers: 1}
}
