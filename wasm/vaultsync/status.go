package vaultsync

import (
	"context"
	"sync"
	"time"

	"watchword/wasm/api"
)

// State is the one-word sync state shown in the popup's corner.
type State string

// Sync states.
const (
	StateLocal     State = "local"     // a local-only vault: no account to sync with
	StateSynced    State = "synced"    // in step with the server as of Status.SyncedAt
	StateSyncing   State = "syncing"   // a sync is running
	StatePaused    State = "paused"    // sync is switched off
	StateOffline   State = "offline"   // the server could not be reached
	StateAttention State = "attention" // needs attention: see Status.Reason
	StateIdle      State = "idle"      // connected, not synced since start
)

// Status is what the UI shows about sync.
type Status struct {
	State    State     `json:"state"`
	SyncedAt time.Time `json:"synced_at,omitzero"` // last successful sync
	Reason   string    `json:"reason,omitempty"`   // why attention is needed
	Code     api.Code  `json:"code,omitempty"`     // the error code behind Reason
	Pending  int       `json:"pending"`            // local changes not yet sent
	Damaged  int       `json:"damaged"`            // entries that fail integrity checks and are not shown
	// Hidden counts live entries this version cannot show (types it does
	// not know), as of the last View: counting needs every entry opened.
	Hidden int `json:"hidden"`
}

// Status returns the current sync status.
func (e *Engine) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status
}

func (e *Engine) initialState() State {
	switch {
	case e.cfg.Transport == nil:
		return StateLocal
	case e.meta.Paused:
		return StatePaused
	case !e.meta.SyncedAt.IsZero():
		return StateSynced
	}
	return StateIdle
}

// refreshStatusLocked recomputes the counts and, when s is not empty, sets
// the state. Problems recorded in storage keep the state at attention.
func (e *Engine) refreshStatusLocked(s State) {
	old := e.status
	if s != "" {
		e.status.State = s
	}
	if e.meta.Paused && e.status.State != StateSyncing {
		e.status.State = StatePaused
	}
	e.status.SyncedAt = e.meta.SyncedAt
	e.status.Pending = e.pendingLocked()
	e.status.Damaged = len(e.problems)
	if e.status.State == StateSynced && e.status.Damaged > 0 {
		e.status.State = StateAttention
		e.status.Code = api.CodeDecrypt
		e.status.Reason = "some entries from the server failed integrity checks and are not shown"
	}
	if e.status != old && e.cfg.OnStatus != nil {
		go e.cfg.OnStatus(e.status)
	}
}

// scheduler runs automatic sync: at start, after a local change (debounced),
// periodically, and when the server announces a change. All timers come from
// the injected Clock.
type scheduler struct {
	mu       sync.Mutex
	running  bool
	debounce Timer
	periodic Timer
	inFlight bool
	again    bool
}

// Start begins automatic sync: one sync now, then after every change
// (debounced) and periodically. It does nothing for a local-only vault.
func (e *Engine) Start() {
	if e.cfg.Transport == nil {
		return
	}
	e.sched.mu.Lock()
	e.sched.running = true
	e.sched.mu.Unlock()
	e.sched.kick(e)
}

// Notify tells the engine the server announced revision rev (the change
// stream); it syncs when rev is newer than what the device has.
func (e *Engine) Notify(rev int64) {
	if rev > e.Revision() {
		e.sched.kick(e)
	}
}

// changed is called after a local change: sync after the debounce delay, so
// a burst of edits goes out in one push.
func (s *scheduler) changed(e *Engine) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return
	}
	if s.debounce != nil {
		s.debounce.Stop()
	}
	s.debounce = e.cfg.Clock.AfterFunc(e.cfg.Debounce, func() { s.kick(e) })
}

// kick starts a sync now, or once more after the one running.
func (s *scheduler) kick(e *Engine) {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return
	}
	if s.inFlight {
		s.again = true
		s.mu.Unlock()
		return
	}
	s.inFlight = true
	if s.periodic != nil {
		s.periodic.Stop()
	}
	s.mu.Unlock()
	go s.run(e)
}

func (s *scheduler) run(e *Engine) {
	for {
		e.mu.Lock()
		paused, closed := e.meta.Paused, e.closed
		e.mu.Unlock()
		if !paused && !closed {
			_ = e.Sync(context.Background()) // the outcome is in Status
		}
		s.mu.Lock()
		if s.again && s.running {
			s.again = false
			s.mu.Unlock()
			continue
		}
		s.inFlight = false
		if s.running {
			s.periodic = e.cfg.Clock.AfterFunc(e.cfg.Period, func() { s.kick(e) })
		}
		s.mu.Unlock()
		return
	}
}

// stop stops every timer; a running sync finishes.
func (s *scheduler) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running = false
	if s.debounce != nil {
		s.debounce.Stop()
	}
	if s.periodic != nil {
		s.periodic.Stop()
	}
}
