package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestPeers(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "db"))
	ctx := context.Background()
	id := func(c byte) string { return string(slices.Repeat([]byte{c}, 64)) }
	asker, db, web, other := id('a'), id('b'), id('c'), id('d')
	err := s.Update(ctx, func(tx *Tx) error {
		for _, n := range []Network{{ID: id('1'), Name: "bridge"}, {ID: id('2'), Name: "appnet"}, {ID: id('3'), Name: "othernet"}} {
			n.Driver, n.Config, n.Created = "bridge", []byte("{}"), time.Now()
			if err := tx.PutNetwork(n); err != nil {
				return err
			}
		}
		for _, c := range []Container{{ID: asker, Name: "asker"}, {ID: db, Name: "DB"}, {ID: web, Name: "web"}, {ID: other, Name: "other"}} {
			c.ImageID, c.Config, c.State, c.Created = "sha256:x", []byte("{}"), []byte(`{"Status":1}`), time.Now()
			if err := tx.PutContainer(c); err != nil {
				return err
			}
		}
		for _, e := range []Endpoint{
			{ContainerID: asker, NetworkID: id('1'), IP: "10.210.0.2"},
			{ContainerID: asker, NetworkID: id('2'), IP: "10.220.0.2"},
			{ContainerID: db, NetworkID: id('2'), IP: "10.220.0.3", Aliases: []string{"Database", "shared"}},
			{ContainerID: web, NetworkID: id('1'), IP: "10.210.0.4"}, // on the default bridge only
			{ContainerID: web, NetworkID: id('2'), IP: "10.220.0.4", Aliases: []string{"shared"}},
			{ContainerID: other, NetworkID: id('3'), IP: "10.220.1.2", Aliases: []string{"database"}}, // not a network of asker's
			{ContainerID: db, NetworkID: id('3'), IP: "10.220.1.3"},
		} {
			if err := tx.PutEndpoint(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    PeerQuery
		want []string // network/ip
	}{
		{"name, any case", PeerQuery{Name: "db"}, []string{"appnet/10.220.0.3"}},
		{"alias, any case", PeerQuery{Name: "DATABASE"}, []string{"appnet/10.220.0.3"}},
		{"short ID", PeerQuery{Name: db[:12]}, []string{"appnet/10.220.0.3"}},
		{"short ID in upper case", PeerQuery{Name: "BBBBBBBBBBBB"}, []string{"appnet/10.220.0.3"}},
		{"longer than the short ID: no", PeerQuery{Name: db[:13]}, nil},
		{"shared alias", PeerQuery{Name: "shared"}, []string{"appnet/10.220.0.3", "appnet/10.220.0.4"}},
		{"itself", PeerQuery{Name: "asker"}, []string{"appnet/10.220.0.2", "bridge/10.210.0.2"}},
		{"default bridge left out", PeerQuery{Name: "web", Except: "bridge"}, []string{"appnet/10.220.0.4"}},
		{"one network", PeerQuery{Name: "asker", Network: "bridge"}, []string{"bridge/10.210.0.2"}},
		{"a network the asker is not on", PeerQuery{Name: "other"}, nil},
		{"unknown", PeerQuery{Name: "nobody"}, nil},
		{"by address", PeerQuery{Addr: "10.220.0.4"}, []string{"appnet/10.220.0.4"}},
		{"by address elsewhere", PeerQuery{Addr: "10.220.1.2"}, nil},
		{"pattern characters are not patterns", PeerQuery{Name: "%"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Of = asker
			var got []string
			err := s.View(ctx, func(tx *Tx) error {
				peers, err := tx.Peers(tc.q)
				for _, p := range peers {
					got = append(got, p.Network+"/"+p.IP)
					if string(p.State) != `{"Status":1}` || p.Name == "" {
						t.Errorf("peer %+v: state or name missing", p)
					}
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	// Removed: the endpoints go with the container.
	if err := s.Update(ctx, func(tx *Tx) error { return tx.DeleteContainer(db) }); err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(tx *Tx) error {
		if peers, err := tx.Peers(PeerQuery{Of: asker, Name: "db"}); err != nil || len(peers) != 0 {
			t.Errorf("after removal: %v %v", peers, err)
		}
		return nil
	})
}
