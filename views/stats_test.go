package views

import (
	"slices"
	"testing"
)

func TestBucketed(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		w      int
		want   []float64
	}{
		{"fits", []float64{1, 2, 3}, 5, []float64{1, 2, 3}},
		{"pairs", []float64{1, 3, 5, 7}, 2, []float64{2, 6}},
		{"the oldest column holds fewer", []float64{9, 1, 3, 5, 10}, 2, []float64{5, 6}},
		{"none", nil, 4, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := bucketed(tc.values, tc.w); !slices.Equal(got, tc.want) {
				t.Errorf("bucketed(%v, %d) = %v, want %v", tc.values, tc.w, got, tc.want)
			}
		})
	}
}
