package progress

import "testing"

func TestStateNames(t *testing.T) {
	cases := []struct {
		s     State
		name  string
		final bool
	}{
		{Waiting, "Waiting", false},
		{Downloading, "Downloading", false},
		{Verifying, "Verifying Checksum", false},
		{Extracting, "Extracting", false},
		{AlreadyExists, "Already exists", true},
		{Done, "Pull complete", true},
		{Failed, "Failed", true},
		{State(99), "Unknown", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.s.String() != tc.name || tc.s.Final() != tc.final {
				t.Fatalf("%d: %q final=%v", tc.s, tc.s.String(), tc.s.Final())
			}
		})
	}
}

func TestSendStampsTime(t *testing.T) {
	var got Update
	Func(func(u Update) { got = u }).Send(Update{ID: "abc"})
	if got.ID != "abc" || got.Time.IsZero() {
		t.Fatalf("%+v", got)
	}
	Func(nil).Send(Update{}) // a nil Func discards
}
