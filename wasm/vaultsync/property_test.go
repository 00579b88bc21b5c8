package vaultsync

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"watchword/wasm/api"
	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
)

var schedules = flag.Int("vaultsync.schedules", defaultSchedules,
	"vaultsync: random schedules the property test runs (unless -rapid.checks is given)")

// protocolServer is the server side of a property run.
type protocolServer interface {
	// newAccount makes a fresh, activated account and returns a transport
	// signed in to it (shared by the devices of that account).
	newAccount(t tester) Transport
	// restart stops the server and starts it again on the same data.
	restart(t tester)
}

// checksGiven records, before this file sets it, whether -rapid.checks
// was given on the command line (flag.Set marks a flag as given too).
var checksGiven = sync.OnceValue(func() bool { return flagGiven("rapid.checks") })

func flagGiven(name string) bool {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// The fields the schedules edit: known ones of every kind of use, and one
// this build's schema does not know (kept byte for byte by every merge).
var editTags = []vault.Tag{vault.TagName, vault.TagUsername, vault.TagPassword, vault.TagNotes, vaulttest.NextTagLogin}

// actionMix weighs the actions: edits and syncs dominate, so that devices
// often edit the same entries between syncs and conflicts are common.
var actionMix = []string{
	"create", "create",
	"edit", "edit", "edit", "edit", "edit", "edit",
	"delete",
	"sync", "sync", "sync", "sync", "sync",
	"offline", "online", "crash",
	"fault", "fault",
	"restart",
}

// wanted says where an acknowledged value must survive: entry id, field tag.
type wanted struct {
	id  string
	tag vault.Tag
}

// runProperty is the model-based test: three devices, each the real engine
// on its own storage, share one account on srv. A schedule is a random
// interleaving of creates, field edits, deletes, going offline and online,
// syncs, crashes, injected network faults and server restarts. Afterwards
// every device syncs; then all devices and the server must hold the same
// decrypted vault, and every value any device acknowledged must be present
// as the field's value or in the entry's history, unless a device that saw
// it overwrote it or deleted the entry.
func runProperty(t *testing.T, srv protocolServer) {
	if !checksGiven() {
		if err := flag.Set("rapid.checks", strconv.Itoa(*schedules)); err != nil {
			t.Fatal(err)
		}
	}
	h, k := testVault(t)
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		tr := srv.newAccount(rt)
		acct := newID(rt)
		devs := make([]*device, 3)
		for i := range devs {
			devs[i] = newDevice(rt, acct, h, k, tr, nil, nil)
		}
		required := make(map[string]wanted)
		clock := t0
		seq := 0
		fresh := func() string { seq++; return fmt.Sprintf("v%d", seq) }
		tick := func() time.Time { clock = clock.Add(time.Second); return clock }
		pickDev := func(rt *rapid.T) *device { return devs[rapid.IntRange(0, len(devs)-1).Draw(rt, "device")] }
		pickEntry := func(rt *rapid.T, d *device) (string, bool) {
			v := d.eng.View()
			if len(v.Items) == 0 {
				return "", false
			}
			return v.Items[rapid.IntRange(0, len(v.Items)-1).Draw(rt, "entry")].ID, true
		}
		// forget drops the requirement on every value of entry id that d
		// shows, current or in history (d deletes it knowingly).
		forget := func(d *device, id string) {
			e := d.entry(id)
			hist, _ := e.History()
			for val, w := range required {
				if w.id != id {
					continue
				}
				if cur, ok := e.Raw(w.tag); ok && string(cur) == val {
					delete(required, val)
				}
				for _, it := range hist {
					if it.Field == w.tag && string(it.Value) == val {
						delete(required, val)
					}
				}
			}
		}
		actions := map[string]func(*rapid.T){
			"create": func(rt *rapid.T) {
				d := pickDev(rt)
				// Ids follow the schedule so a failure replays exactly;
				// every schedule has an account of its own.
				id := fmt.Sprintf("%032x", seq)
				name, pw := fresh(), fresh()
				if err := d.eng.Put(ctx, id, login(rt, id, tick(), map[vault.Tag]string{vault.TagName: name, vault.TagPassword: pw})); err != nil {
					rt.Fatalf("create: %v", err)
				}
				required[name] = wanted{id, vault.TagName}
				required[pw] = wanted{id, vault.TagPassword}
			},
			"edit": func(rt *rapid.T) {
				d := pickDev(rt)
				id, ok := pickEntry(rt, d)
				if !ok {
					return
				}
				tag := rapid.SampledFrom(editTags).Draw(rt, "field")
				if old, ok := d.entry(id).Raw(tag); ok {
					delete(required, string(old)) // overwritten by a device that saw it
				}
				v := fresh()
				d.edit(id, tick(), map[vault.Tag]string{tag: v})
				required[v] = wanted{id, tag}
			},
			"delete": func(rt *rapid.T) {
				d := pickDev(rt)
				id, ok := pickEntry(rt, d)
				if !ok {
					return
				}
				forget(d, id)
				if err := d.eng.Delete(ctx, id); err != nil {
					rt.Fatalf("delete: %v", err)
				}
			},
			"sync": func(rt *rapid.T) {
				if err := pickDev(rt).sync(); err != nil && api.CodeOf(err) != api.CodeNetwork {
					rt.Fatalf("sync: %v", err)
				}
			},
			"offline": func(rt *rapid.T) { pickDev(rt).net.setOffline(true) },
			"online":  func(rt *rapid.T) { pickDev(rt).net.setOffline(false) },
			"crash":   func(rt *rapid.T) { pickDev(rt).crash() },
			"fault": func(rt *rapid.T) {
				pickDev(rt).net.inject(rapid.SampledFrom([]fault{faultDropRequest, faultDropResponse, faultDuplicate}).Draw(rt, "fault"))
			},
			"restart": func(rt *rapid.T) { srv.restart(rt) },
		}
		steps := rapid.IntRange(1, 80).Draw(rt, "steps")
		for range steps {
			actions[rapid.SampledFrom(actionMix).Draw(rt, "action")](rt)
			// The pending count is kept as records change; a walk over
			// every record must agree with it after each step.
			for i, d := range devs {
				if got, walked := d.eng.Pending(), pendingByWalk(d.eng); got != walked {
					rt.Fatalf("device %d counts %d pending records, a walk finds %d", i, got, walked)
				}
			}
		}

		// Everyone comes online and syncs: the first round sends every
		// change, the second brings every device the others' changes.
		for _, d := range devs {
			d.net.setOffline(false)
			d.net.inject(faultNone)
		}
		for round := 0; round < 2; round++ {
			for i, d := range devs {
				if err := d.sync(); err != nil {
					rt.Fatalf("final sync of device %d: %v", i, err)
				}
			}
		}
		want := serverVault(rt, tr, k)
		for i, d := range devs {
			st := d.eng.Status()
			if st.State != StateSynced || st.Pending != 0 || st.Damaged != 0 {
				rt.Fatalf("device %d status %+v after the final sync", i, st)
			}
			if got := plainVault(d.eng.View()); !mapsEqual(got, want) {
				rt.Fatalf("device %d holds %d entries, the server %d, or their contents differ", i, len(got), len(want))
			}
		}
		for val, w := range required {
			pt, ok := want[w.id]
			if !ok {
				rt.Fatalf("value %s of field %d was lost: entry %s was deleted by a device that never saw it", val, w.tag, w.id)
			}
			e, err := vault.ParseEntry(w.id, []byte(pt))
			if err != nil {
				rt.Fatal(err)
			}
			if cur, _ := e.Raw(w.tag); string(cur) == val {
				continue
			}
			if !slices.Contains(historyValues(rt, e, w.tag), val) {
				rt.Fatalf("value %s of field %d of entry %s is neither current nor in history", val, w.tag, w.id)
			}
		}
	})
}

// pendingByWalk counts e's pending records the slow way.
func pendingByWalk(e *Engine) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, r := range e.records {
		if r.Pending {
			n++
		}
	}
	return n
}
