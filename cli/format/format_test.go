package format

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/engine/image"
)

var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

const (
	id1 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	id2 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
)

func containers() []container.Summary {
	return []container.Summary{
		{ID: id1, Name: "web", Image: "busybox", ImageID: "sha256:aaaa", Command: "sh -c 'echo hi'",
			Created: now.Add(-90 * time.Second), NetworkMode: "none",
			State:  container.State{Status: container.Running, StartedAt: now.Add(-80 * time.Second)},
			Labels: map[string]string{"com.example.version": "1.0", "app": "web"}},
		{ID: id2, Name: "job", Image: "busybox@sha256:bbbb", ImageID: "sha256:bbbb", Command: "sleep 1000000000000000000000",
			Created: now.Add(-3 * time.Hour), NetworkMode: "host",
			State: container.State{Status: container.Exited, ExitCode: 3, StartedAt: now.Add(-3 * time.Hour),
				FinishedAt: now.Add(-2 * time.Hour)}},
	}
}

// sizes is a fake measure: web wrote 0 bytes over a 1.15 MB image, job 2 kB.
func sizes(c container.Summary) (int64, int64, error) {
	if c.Name == "web" {
		return 0, 1_146_000, nil
	}
	return 2000, 2000 + 1_146_000, nil
}

func psRows(trunc bool) []*Container {
	var rows []*Container
	for _, c := range containers() {
		rows = append(rows, NewContainer(c, trunc, now, sizes))
	}
	return rows
}

// TestContainerFormats runs ps templates; the expected outputs are docker's
// for the same containers (docker/cli's formatter and its documentation).
func TestContainerFormats(t *testing.T) {
	tests := []struct {
		name, format string
		noTrunc      bool
		want         string
	}{
		{"default table", ContainerTable, false, "" +
			"CONTAINER ID   IMAGE     COMMAND                  CREATED              STATUS                   PORTS     NAMES\n" +
			"0123456789ab   busybox   \"sh -c 'echo hi'\"        About a minute ago   Up About a minute                  web\n" +
			"fedcba987654   busybox   \"sleep 1000000000000…\"   3 hours ago          Exited (3) 2 hours ago             job\n"},
		{"table with size", ContainerTable + `\t{{.Size}}`, false, "" +
			"CONTAINER ID   IMAGE     COMMAND                  CREATED              STATUS                   PORTS     NAMES     SIZE\n" +
			"0123456789ab   busybox   \"sh -c 'echo hi'\"        About a minute ago   Up About a minute                  web       0B (virtual 1.15MB)\n" +
			"fedcba987654   busybox   \"sleep 1000000000000…\"   3 hours ago          Exited (3) 2 hours ago             job       2kB (virtual 1.15MB)\n"},
		{"two columns", `table {{.ID}}\t{{.Image}}`, false, "" +
			"CONTAINER ID   IMAGE\n" +
			"0123456789ab   busybox\n" +
			"fedcba987654   busybox\n"},
		{"one column", "table {{.Names}}", false, "NAMES\nweb\njob\n"},
		{"short columns pad to ten", `table {{.State}}\t{{.Names}}`, false, "" +
			"STATE     NAMES\n" +
			"running   web\n" +
			"exited    job\n"},
		{"plain template", "{{.Names}} {{.State}}", false, "web running\njob exited\n"},
		{"tab escape outside a table", `{{.Names}}\t{{.Networks}}`, false, "web\tnone\njob\thost\n"},
		{"labels", "{{.Labels}}", false, "app=web,com.example.version=1.0\n\n"},
		{"one label", `{{.Label "com.example.version"}}`, false, "1.0\n\n"},
		{"label column title", `table {{.Names}}\t{{.Label "com.example.version"}}`, false, "" +
			"NAMES     version\n" +
			"web       1.0\n" +
			"job       \n"},
		{"networks and mounts", "{{.Networks}}|{{.Mounts}}|{{.LocalVolumes}}|{{.Ports}}", false, "none||0|\nhost||0|\n"},
		{"size", "{{.Size}}", false, "0B (virtual 1.15MB)\n2kB (virtual 1.15MB)\n"},
		{"command quoted", "{{.Command}}", false, "\"sh -c 'echo hi'\"\n\"sleep 1000000000000…\"\n"},
		{"command not truncated", "{{.Command}}", true, "\"sh -c 'echo hi'\"\n\"sleep 1000000000000000000000\"\n"},
		{"full ID", "{{.ID}}", true, id1 + "\n" + id2 + "\n"},
		{"image digest dropped when truncated", "{{.Image}}", false, "busybox\nbusybox\n"},
		{"image as created", "{{.Image}}", true, "busybox\nbusybox@sha256:bbbb\n"},
		{"running for", "{{.RunningFor}}", false, "About a minute ago\n3 hours ago\n"},
		{"status", "{{.Status}}", false, "Up About a minute\nExited (3) 2 hours ago\n"},
		{"lower upper title", "{{upper .Names}} {{lower .State}} {{title .State}}", false, "WEB running Running\nJOB exited Exited\n"},
		{"truncate", "{{truncate .ID 5}}", false, "01234\nfedcb\n"},
		{"pad", "[{{pad .Names 1 2}}][{{pad .Ports 1 1}}]", false, "[ web  ][]\n[ job  ][]\n"},
		{"split join", `{{join (split .Status " ") "_"}}`, false, "Up_About_a_minute\nExited_(3)_2_hours_ago\n"},
		{"json of a field", "{{json .Names}}", false, "\"web\"\n\"job\"\n"},
		{"println", "{{println .Names}}", false, "web\n\njob\n\n"},
		{"printf", `{{printf "%-5s|" .Names}}`, false, "web  |\njob  |\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tc.format, ContainerHeader, psRows(!tc.noTrunc)); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tc.want)
			}
		})
	}
}

func TestContainerJSON(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "json", ContainerHeader, psRows(true)[:1]); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, b.String())
	}
	want := map[string]string{"Command": "\"sh -c 'echo hi'\"", "CreatedAt": CreatedAt(now.Add(-90 * time.Second)),
		"ID": "0123456789ab", "Image": "busybox", "Labels": "app=web,com.example.version=1.0", "LocalVolumes": "0",
		"Mounts": "", "Names": "web", "Networks": "none", "Ports": "", "RunningFor": "About a minute ago",
		"Size": "0B (virtual 1.15MB)", "State": "running", "Status": "Up About a minute"}
	if len(got) != len(want) {
		t.Errorf("keys: got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestCreatedAt(t *testing.T) {
	got := CreatedAt(time.Date(2024, 5, 1, 12, 0, 0, 999, time.UTC))
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \S+$`).MatchString(got) {
		t.Errorf("CreatedAt = %q, want 2006-01-02 15:04:05 -0700 MST", got)
	}
	if want := time.Unix(1714564800, 0).Format("2006-01-02 15:04:05 -0700 MST"); got != want {
		t.Errorf("CreatedAt = %q, want %q (whole seconds, local zone)", got, want)
	}
}

// TestSizeOnlyWhenAsked: measuring containers reads their layers, so ps
// does it only for a template that prints sizes.
func TestSizeOnlyWhenAsked(t *testing.T) {
	calls := 0
	count := func(container.Summary) (int64, int64, error) { calls++; return 0, 0, nil }
	rows := []*Container{NewContainer(containers()[0], true, now, count)}
	Write(&bytes.Buffer{}, ContainerTable, ContainerHeader, rows)
	if calls != 0 {
		t.Errorf("default table measured %d containers", calls)
	}
	var b bytes.Buffer
	Write(&b, "{{.Size}}", ContainerHeader, rows)
	if calls != 1 || b.String() != "0B\n" {
		t.Errorf("{{.Size}}: %d calls, %q", calls, b.String())
	}
}

func TestWriteErrors(t *testing.T) {
	for _, tc := range []struct{ format, want string }{
		{"{{InvalidFunction}}", `template parsing error: template: :1: function "InvalidFunction" not defined`},
		{"{{nil}}", `template parsing error: template: :1:2: executing "" at <nil>: nil is not a command`},
		{"{{.Nope}}", `can't evaluate field Nope`},
		{"table {{.Nope}}", `can't evaluate field Nope`},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var b bytes.Buffer
			err := Write(&b, tc.format, ContainerHeader, psRows(true))
			if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			if b.Len() != 0 {
				t.Errorf("printed %q before failing", b.String())
			}
		})
	}
}

func images() []image.Summary {
	return []image.Summary{
		{ID: "sha256:" + id1, RepoTags: []string{"busybox:1.36", "busybox:latest", "mybox:1"},
			RepoDigests: []string{"busybox@sha256:d1d1"}, Created: now.Add(-72 * time.Hour), Size: 4_270_000},
		{ID: "sha256:" + id2, RepoDigests: []string{"alpine@sha256:e2e2"}, Created: now.Add(-2 * time.Hour), Size: 116_666_468},
		{ID: "sha256:cccccccccccccccccccc", Size: 999},
	}
}

// TestImageFormats runs images templates; the expected outputs are what
// docker prints for the same images.
func TestImageFormats(t *testing.T) {
	tests := []struct {
		name, format string
		digests      bool
		noTrunc      bool
		want         string
	}{
		{"default table", ImageTable, false, false, "" +
			"REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n" +
			"busybox      1.36      0123456789ab   3 days ago    4.27MB\n" +
			"busybox      latest    0123456789ab   3 days ago    4.27MB\n" +
			"mybox        1         0123456789ab   3 days ago    4.27MB\n" +
			"alpine       <none>    fedcba987654   2 hours ago   117MB\n" +
			"<none>       <none>    cccccccccccc   N/A           999B\n"},
		{"digests", ImageTableDigests, true, false, "" +
			"REPOSITORY   TAG       DIGEST        IMAGE ID       CREATED       SIZE\n" +
			"busybox      1.36      sha256:d1d1   0123456789ab   3 days ago    4.27MB\n" +
			"busybox      latest    sha256:d1d1   0123456789ab   3 days ago    4.27MB\n" +
			"mybox        1         <none>        0123456789ab   3 days ago    4.27MB\n" +
			"alpine       <none>    sha256:e2e2   fedcba987654   2 hours ago   117MB\n" +
			"<none>       <none>    <none>        cccccccccccc   N/A           999B\n"},
		{"repository and tag", "{{.Repository}}:{{.Tag}}", false, false,
			"busybox:1.36\nbusybox:latest\nmybox:1\nalpine:<none>\n<none>:<none>\n"},
		{"digest in a template", "{{.Repository}} {{.Digest}}", false, false,
			"busybox sha256:d1d1\nbusybox sha256:d1d1\nmybox <none>\nalpine \n<none> <none>\n"},
		{"full ID", "{{.ID}}", false, true,
			"sha256:" + id1 + "\nsha256:" + id1 + "\nsha256:" + id1 + "\nsha256:" + id2 + "\nsha256:cccccccccccccccccccc\n"},
		{"sizes", "{{.Size}} {{.VirtualSize}}", false, false,
			"4.27MB 4.27MB\n4.27MB 4.27MB\n4.27MB 4.27MB\n117MB 116.7MB\n999B 999B\n"},
		{"created since", "{{.CreatedSince}}|", false, false, "3 days ago|\n3 days ago|\n3 days ago|\n2 hours ago|\n|\n"},
		{"column titles", `table {{.CreatedAt}}\t{{.Containers}}\t{{.SharedSize}}`, false, false, "" +
			"CREATED AT                      CONTAINERS   SHARED SIZE\n" +
			CreatedAt(now.Add(-72*time.Hour)) + "   N/A          N/A\n" +
			CreatedAt(now.Add(-72*time.Hour)) + "   N/A          N/A\n" +
			CreatedAt(now.Add(-72*time.Hour)) + "   N/A          N/A\n" +
			CreatedAt(now.Add(-2*time.Hour)) + "   N/A          N/A\n" +
			CreatedAt(time.Time{}) + "   N/A          N/A\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := ImageRows(images(), ImageOptions{Trunc: !tc.noTrunc, Digests: tc.digests, Format: tc.format, Now: now})
			var b bytes.Buffer
			if err := Write(&b, tc.format, ImageHeader, rows); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tc.want)
			}
		})
	}
}

// inspectDoc is a container document as the engine builds one (the fields
// the templates below read).
func inspectDoc() *container.Inspect {
	var in container.Inspect
	in.ID, in.Name, in.Args = id1, "/web", []string{"-c", "echo hi"}
	in.State.Status, in.State.StartedAt = "running", "2024-05-01T12:00:00.5Z"
	in.HostConfig.Memory, in.HostConfig.NanoCPUs = 64<<20, 5e8
	in.Config.Labels = map[string]string{"app": "web"}
	in.NetworkSettings.Networks = map[string]*container.InspectEndpoint{"none": {}}
	in.Mounts = []container.InspectMount{}
	return &in
}

// TestInspectTemplates runs docker inspect templates; expected outputs are
// docker's for a container with the same settings.
func TestInspectTemplates(t *testing.T) {
	img := &image.Inspect{ID: "sha256:" + id2, Size: 116_666_468, Created: "2024-01-01T00:00:00Z",
		Config: &image.ContainerConfig{Cmd: []string{"sh"}}, RepoTags: []string{"busybox:latest"}}
	tests := []struct {
		name, format string
		doc          any
		want         string
	}{
		{"integer", "{{.HostConfig.Memory}}", inspectDoc(), "67108864\n"},
		{"printf %d", `{{printf "%d" .HostConfig.Memory}}`, inspectDoc(), "67108864\n"},
		{"Go field name", "{{.ID}}", inspectDoc(), id1 + "\n"},
		{"JSON name, through the JSON document", "{{.Id}}", inspectDoc(), id1 + "\n"},
		{"JSON-only name stays an integer", "{{.HostConfig.NanoCpus}}", inspectDoc(), "500000000\n"},
		{"printf %d of a JSON-only name", `{{printf "%d" .HostConfig.NanoCpus}}`, inspectDoc(), "500000000\n"},
		{"time string", "{{.State.StartedAt}}", inspectDoc(), "2024-05-01T12:00:00.5Z\n"},
		{"join", `{{join .Args ","}}`, inspectDoc(), "-c,echo hi\n"},
		{"missing map key", "{{.Config.Labels.missing}}", inspectDoc(), "<no value>\n"},
		{"index of a missing key", `{{index .Config.Labels "missing"}}`, inspectDoc(), "\n"},
		{"range over networks", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}", inspectDoc(), "none\n"},
		{"json of null", "{{json .Config.Entrypoint}}", inspectDoc(), "null\n"},
		{"json of empty", "{{json .Mounts}} {{json .NetworkSettings.Ports}}", inspectDoc(), "[] null\n"},
		{"lower", "{{lower .State.Status}}", inspectDoc(), "running\n"},
		{"tab stays as typed", `{{.Name}}\t{{.State.Status}}`, inspectDoc(), `/web\trunning` + "\n"},
		{"image size", "{{.Size}}", img, "116666468\n"},
		{"image printf", `{{printf "%d" .Size}}`, img, "116666468\n"},
		{"image JSON name", "{{.Id}} {{.Os}}", img, "sha256:" + id2 + " \n"},
		{"image config", "{{json .Config.Cmd}} {{index .RepoTags 0}}", img, `["sh"] busybox:latest` + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Inspect(&b, tc.format, []any{tc.doc}); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got %q, want %q", b.String(), tc.want)
			}
		})
	}
}

func TestInspectOutputs(t *testing.T) {
	docs := []any{inspectDoc(), inspectDoc()}
	var b bytes.Buffer
	if err := Inspect(&b, "", docs); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "[\n    {\n        \"Id\": \""+id1+"\",\n") || !strings.HasSuffix(b.String(), "}\n]\n") {
		t.Errorf("indented array:\n%s", b.String())
	}
	b.Reset()
	Inspect(&b, "json", docs)
	if !strings.HasPrefix(b.String(), `[{"Id":"`+id1+`",`) || strings.Count(b.String(), "\n") != 1 {
		t.Errorf("json: %s", b.String())
	}
	b.Reset()
	Inspect(&b, "", nil)
	if b.String() != "[]\n" {
		t.Errorf("no documents: %q, want []", b.String())
	}

	// A key neither the document nor its JSON has is an error, as in
	// docker; the other documents are still printed.
	b.Reset()
	img := &image.Inspect{ID: "sha256:" + id2}
	err := Inspect(&b, "{{.Name}}", []any{img, inspectDoc()})
	if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), `map has no entry for key "Name"`) {
		t.Errorf("err = %v", err)
	}
	if b.String() != "/web\n" {
		t.Errorf("printed %q, want the container's line", b.String())
	}
	if err := Inspect(&b, "{{InvalidFunction}}", docs); !errdefs.IsInvalidArgument(err) ||
		!strings.Contains(err.Error(), "template parsing error") {
		t.Errorf("bad template: %v", err)
	}
}

func TestEllipsis(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"sh -c 'echo hi'", 20, "sh -c 'echo hi'"},
		{"abcdefghijklmnopqrstuvwxyz", 20, "abcdefghijklmnopqrs…"},
		{"ééééé", 3, "éé…"},
		{"abc", 1, "a"},
		{"abc", 0, ""},
	} {
		if got := Ellipsis(tc.s, tc.n); got != tc.want {
			t.Errorf("Ellipsis(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestTitle(t *testing.T) {
	for in, want := range map[string]string{"hello world": "Hello World", "up_to-date x1y": "Up_to-Date X1y", "": ""} {
		if got := title(in); got != want {
			t.Errorf("title(%q) = %q, want %q", in, got, want)
		}
	}
}
