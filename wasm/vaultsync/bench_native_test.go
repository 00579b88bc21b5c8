//go:build !js

package vaultsync

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"watchword/wasm/vault"
	"watchword/wasm/vaultsync/httptransport"
)

// countingConn counts the bytes a connection carries both ways: what goes
// over the wire, after compression, with HTTP framing and headers.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (c countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// countingTransport returns a transport to the account of tr whose bytes
// on the wire are added to n.
func countingTransport(b *testing.B, srv *realServer, tr Transport, n *atomic.Int64) Transport {
	b.Helper()
	ht := tr.(*httptransport.Transport)
	d := &net.Dialer{}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return countingConn{c, n}, nil
		},
	}}
	return ht.WithClient(client)
}

// benchLogin is a typical login entry: a name, a URL, a username, a
// generated password, a few notes.
func benchLogin(b *testing.B, id string, i int) []byte {
	e := vault.NewEntry(id, vault.TypeLogin)
	e.SetString(vault.TagName, fmt.Sprintf("Example site %d", i))
	e.SetURLs([]vault.URL{{URL: fmt.Sprintf("https://login.example%d.com/signin", i)}})
	e.SetString(vault.TagUsername, fmt.Sprintf("user%d@example.org", i))
	e.SetString(vault.TagPassword, fmt.Sprintf("Zq7!mR2#vX9$%06dkP4&", i))
	e.SetString(vault.TagNotes, "Security questions: first pet, street.")
	e.SetTime(vault.TagCreated, t0)
	e.SetTime(vault.TagModified, t0)
	pt, err := e.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	return pt
}

// seededAccount makes an account holding n entries, uploaded by one device,
// and returns that device and the total ciphertext size.
func seededAccount(b *testing.B, srv *realServer, n int) (*device, Transport, int64) {
	b.Helper()
	h, k := testVault(b)
	tr := srv.newAccount(b)
	a := newDevice(b, newID(b), h, k, tr, nil, nil)
	ctx := context.Background()
	for i := range n {
		id := newID(b)
		if err := a.eng.Put(ctx, id, benchLogin(b, id, i)); err != nil {
			b.Fatal(err)
		}
	}
	a.mustSync()
	a.mustSync()
	var total int64
	for _, r := range a.eng.records {
		total += int64(len(r.Base))
	}
	return a, tr, total
}

// BenchmarkSyncIncremental: one entry changed in a 10,000-entry vault; one
// device sends it, another receives it. Reports the bytes on the wire both
// ways and the time on loopback for the two syncs.
func BenchmarkSyncIncremental(b *testing.B) {
	srv := newRealServer(b)
	a, tr, _ := seededAccount(b, srv, 10_000)
	var wire atomic.Int64
	a.cfg.Transport = countingTransport(b, srv, tr, &wire)
	a.crash()
	r := newDevice(b, a.cfg.Account, *a.cfg.Header, a.cfg.Keyring.(*vault.Key), countingTransport(b, srv, tr, &wire), nil, nil)
	r.mustSync()
	ids := a.eng.View().Items
	wire.Store(0)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		id := ids[i%len(ids)].ID
		a.edit(id, t0.Add(time.Duration(i+1)*time.Second), map[vault.Tag]string{vault.TagPassword: fmt.Sprintf("new-%d", i)})
		a.mustSync()
		r.mustSync()
	}
	b.StopTimer()
	b.ReportMetric(float64(wire.Load())/float64(b.N), "wire-bytes/op")
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
	if got := r.entry(ids[(b.N-1)%len(ids)].ID).String(vault.TagPassword); got != fmt.Sprintf("new-%d", b.N-1) {
		b.Fatalf("the receiving device has %q", got)
	}
}

// BenchmarkSyncInitial: a new device downloads a 10,000-entry vault.
// Reports the time, the bytes on the wire, and their ratio to the size of
// the ciphertexts.
func BenchmarkSyncInitial(b *testing.B) {
	srv := newRealServer(b)
	a, tr, ctSize := seededAccount(b, srv, 10_000)
	var wire atomic.Int64
	ct := countingTransport(b, srv, tr, &wire)
	b.ResetTimer()
	var elapsed time.Duration
	for range b.N {
		b.StopTimer()
		d := newDevice(b, a.cfg.Account, *a.cfg.Header, a.cfg.Keyring.(*vault.Key), ct, nil, nil)
		b.StartTimer()
		start := time.Now()
		d.mustSync()
		elapsed += time.Since(start)
		b.StopTimer()
		if got := len(d.eng.View().Items); got != 10_000 {
			b.Fatalf("the new device has %d entries", got)
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(wire.Load())/float64(b.N), "wire-bytes/op")
	b.ReportMetric(float64(wire.Load())/float64(b.N)/float64(ctSize), "wire/ciphertext")
}
