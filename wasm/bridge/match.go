package bridge

import (
	"errors"
	"slices"
	"strconv"
	"sync"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
	"watchword/wasm/match"
	"watchword/wasm/vault"
	"watchword/wasm/vaultsync"
)

// Autofill methods:
//
//	matchLoad(batch)          → {logins, failed}
//	matchDecide(requestJSON)  → {refused?, matches: [{id, name, username, verdict, reason?, origin?}]}
//	syncMatchPatch(idsJSON)   → {logins, failed}
//
// matchLoad opens a batch of sealed entries (the formats entriesOpen takes)
// and keeps, for every login, its id, name, username and URLs with their
// rules: never a password. The service worker loads the vault once and then
// asks matchDecide for each frame, so a page with a login form costs one
// small call, not a decryption of the whole vault.
//
// matchDecide takes {frame, consent, ids?} where frame is a match.Frame whose
// URLs the service worker read from the browser (sender.url, sender.origin,
// the tab's URL), consent what the user agreed to for this one fill, and ids
// (optional) restricts the answer to those entries — the one the user picked.
// Every login whose verdict is not a plain "no match" is listed, in load
// order. When the frame itself can never be filled (an opaque or sandboxed
// frame, a page that is not http(s)) the answer is {refused: reason} and no
// matches.
//
// syncMatchPatch takes the ids of entries the sync engine wrote (saved,
// changed, deleted) since the index was built by syncMatchLoad and reopens
// only those: a save costs one entry, not the whole vault. An id the engine
// no longer holds, or that is no longer a login, leaves the index.
//
// The loaded logins belong to the vault key they were opened with: once the
// vault is locked or another vault is loaded, matchDecide and
// syncMatchPatch fail with not_found until a load runs again.
func init() {
	register("matchLoad", (*Core).matchLoad)
	register("matchDecide", (*Core).matchDecide)
	register("syncMatchPatch", (*Core).syncMatchPatch)
}

// login is what the autofill index keeps of one login entry.
type login struct {
	id, name, username string
	saved              []match.Saved
	sites              []string // the buckets it is in
}

// loginIndex groups logins by the site (registrable domain, or the host for
// IP addresses and localhost) of each saved URL. match.Decide only ever
// matches a page against a URL of the same site, so looking at the page's
// bucket gives the same answer as looking at every login.
//
// A patch (syncMatchPatch) changes the index in place while matchDecide may
// be reading it, hence mu.
type loginIndex struct {
	key    *vault.Key // the vault the index was opened with
	mu     sync.RWMutex
	bySite map[string][]*login
	byID   map[string]*login
	count  int // len(byID)
}

func newLoginIndex(k *vault.Key, opened []vault.Opened) (*loginIndex, int) {
	ix := &loginIndex{key: k, bySite: map[string][]*login{}, byID: map[string]*login{}}
	failed := 0
	for _, o := range opened {
		if !ix.add(o) {
			failed++
		}
	}
	return ix, failed
}

// add puts one opened entry in the index (any copy already there is
// replaced) and reports whether it could be read. Entries other than logins
// are not kept.
func (ix *loginIndex) add(o vault.Opened) bool {
	ix.remove(o.ID)
	if o.Err != nil || o.Entry == nil {
		return false
	}
	if o.Entry.Type != vault.TypeLogin {
		return true
	}
	urls, err := o.Entry.URLs()
	if err != nil {
		return false
	}
	l := &login{id: o.ID, name: o.Entry.String(vault.TagName), username: o.Entry.String(vault.TagUsername)}
	for _, u := range urls {
		rule := match.ParseRule(u.Match.String())
		l.saved = append(l.saved, match.Saved{URL: u.URL, Rule: rule})
		origin, err := match.ParseOrigin(u.URL)
		if err != nil || rule == match.RuleNever {
			continue // never matches anything
		}
		if site := origin.Site(); !slices.Contains(l.sites, site) {
			l.sites = append(l.sites, site)
			ix.bySite[site] = append(ix.bySite[site], l)
		}
	}
	ix.byID[o.ID] = l
	ix.count = len(ix.byID)
	return true
}

// remove takes login id out of the index; it costs the size of its sites'
// buckets, not of the vault.
func (ix *loginIndex) remove(id string) {
	l := ix.byID[id]
	if l == nil {
		return
	}
	delete(ix.byID, id)
	ix.count = len(ix.byID)
	for _, site := range l.sites {
		b := slices.DeleteFunc(ix.bySite[site], func(x *login) bool { return x == l })
		if len(b) == 0 {
			delete(ix.bySite, site)
		} else {
			ix.bySite[site] = b
		}
	}
}

type loadResult struct {
	Logins int `json:"logins"`
	Failed int `json:"failed"`
}

func (r loadResult) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.IntField("logins", int64(r.Logins))
	w.IntField("failed", int64(r.Failed))
	w.EndObject()
}

func (c *Core) matchLoad(a Args) (Result, error) {
	if err := need(a, 1); err != nil {
		return nil, err
	}
	k, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	b, err := argBytes(a, 0)
	if err != nil {
		return nil, err
	}
	var sealed []vault.Sealed
	if firstNonSpace(b) == '[' {
		sealed, err = parseEntriesJSON(b)
	} else {
		sealed, err = parseBatch(b)
	}
	if err != nil {
		return nil, err
	}
	if err := useSuffixes(); err != nil {
		return nil, err
	}
	ix, failed := newLoginIndex(k, k.OpenEntries(sealed))
	c.mu.Lock()
	c.logins = ix
	c.mu.Unlock()
	return writeValue(loadResult{Logins: ix.count, Failed: failed})
}

// loaded answers the index built for the unlocked vault.
func (c *Core) loaded() (*loginIndex, error) {
	c.mu.Lock()
	ix, key := c.logins, c.key
	c.mu.Unlock()
	if key == nil {
		return nil, api.NewError(api.CodeLocked, "the vault is locked")
	}
	if ix == nil || ix.key != key {
		return nil, api.NewError(api.CodeNotFound, "no logins are loaded for this vault")
	}
	return ix, nil
}

// maxPatchIDs bounds one patch; a bigger change is cheaper to load whole.
const maxPatchIDs = 10_000

// argPatchIDs reads argument i: a JSON array of at most maxPatchIDs valid
// entry ids (nil for JSON null).
func argPatchIDs(a Args, i int) ([]string, error) {
	var ids []string
	if err := argJSON(a, i, func(d *jsonwire.Decoder) { ids = d.Strings() }); err != nil {
		return nil, err
	}
	if len(ids) > maxPatchIDs {
		return nil, api.NewError(api.CodeBadRequest, strconv.Itoa(len(ids))+" ids in one patch (at most "+strconv.Itoa(maxPatchIDs)+")")
	}
	for _, id := range ids {
		if !api.ValidID(id) {
			return nil, api.NewError(api.CodeBadRequest, "entry id "+strconv.Quote(id)+" is not valid")
		}
	}
	return ids, nil
}

func (c *Core) syncMatchPatch(a Args) (Result, error) {
	ids, err := argPatchIDs(a, 0)
	if err != nil {
		return nil, err
	}
	e, _, err := c.engine()
	if err != nil {
		return nil, err
	}
	ix, err := c.loaded()
	if err != nil {
		return nil, err
	}
	// Opened outside the lock: decisions go on meanwhile.
	opened := make([]vault.Opened, 0, len(ids))
	for _, id := range ids {
		pt, err := e.Get(id)
		switch {
		case errors.Is(err, vaultsync.ErrNotFound):
			opened = append(opened, vault.Opened{ID: id}) // deleted
			continue
		case err != nil:
			opened = append(opened, vault.Opened{ID: id, Err: err})
			continue
		}
		en, err := vault.ParseEntry(id, pt)
		opened = append(opened, vault.Opened{ID: id, Entry: en, Err: err})
	}
	failed := 0
	ix.mu.Lock()
	for _, o := range opened {
		if o.Err == nil && o.Entry == nil {
			ix.remove(o.ID)
		} else if !ix.add(o) {
			failed++
		}
	}
	n := ix.count
	ix.mu.Unlock()
	return writeValue(loadResult{Logins: n, Failed: failed})
}

// decideRequest is matchDecide's argument.
type decideRequest struct {
	Frame struct {
		URL        string `json:"url"`
		TopURL     string `json:"topUrl"`
		Sandboxed  bool   `json:"sandboxed"`
		Srcdoc     bool   `json:"srcdoc"`
		FormAction string `json:"formAction"`
	} `json:"frame"`
	Consent struct {
		Insecure    bool   `json:"insecure"`
		FrameOrigin string `json:"frameOrigin"`
		FormAction  bool   `json:"formAction"`
	} `json:"consent"`
	IDs []string `json:"ids"`
}

func (r *decideRequest) readJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "frame":
			f := &r.Frame
			for ok := d.Object(); ok && d.Member(); {
				switch d.Key() {
				case "url":
					f.URL = d.String()
				case "topUrl":
					f.TopURL = d.String()
				case "sandboxed":
					f.Sandboxed = d.Bool()
				case "srcdoc":
					f.Srcdoc = d.Bool()
				case "formAction":
					f.FormAction = d.String()
				default:
					d.Unknown()
				}
			}
		case "consent":
			c := &r.Consent
			for ok := d.Object(); ok && d.Member(); {
				switch d.Key() {
				case "insecure":
					c.Insecure = d.Bool()
				case "frameOrigin":
					c.FrameOrigin = d.String()
				case "formAction":
					c.FormAction = d.Bool()
				default:
					d.Unknown()
				}
			}
		case "ids":
			r.IDs = d.Strings()
		default:
			d.Unknown()
		}
	}
}

// decided is one login and its verdict; the embedded Decision's fields are
// promoted, so the JSON is flat: {id, name, username, verdict, reason, origin}.
type decided struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
	match.Decision
}

type decideResult struct {
	Refused match.Reason `json:"refused,omitempty"`
	Matches []decided    `json:"matches"`
}

func (r decideResult) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	if r.Refused != "" {
		w.StringField("refused", string(r.Refused))
	}
	w.Key("matches")
	jsonwire.WriteArray(w, r.Matches, decided.WriteJSON)
	w.EndObject()
}

func (m decided) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("id", m.ID)
	w.StringField("name", m.Name)
	w.StringField("username", m.Username)
	w.StringField("verdict", string(m.Verdict))
	if m.Reason != "" {
		w.StringField("reason", string(m.Reason))
	}
	if m.Origin != "" {
		w.StringField("origin", m.Origin)
	}
	w.EndObject()
}

func (c *Core) matchDecide(a Args) (Result, error) {
	var req decideRequest
	if err := argJSON(a, 0, req.readJSON); err != nil {
		return nil, err
	}
	ix, err := c.loaded()
	if err != nil {
		return nil, err
	}
	f := match.Frame{
		URL:        req.Frame.URL,
		TopURL:     req.Frame.TopURL,
		Sandboxed:  req.Frame.Sandboxed,
		Srcdoc:     req.Frame.Srcdoc,
		FormAction: req.Frame.FormAction,
	}
	consent := match.Consent{
		Insecure:    req.Consent.Insecure,
		FrameOrigin: req.Consent.FrameOrigin,
		FormAction:  req.Consent.FormAction,
	}
	return writeValue(ix.decide(f, consent, req.IDs))
}

func (ix *loginIndex) decide(f match.Frame, consent match.Consent, ids []string) decideResult {
	res := decideResult{Matches: []decided{}}
	// A frame refused for what it is refuses every login alike.
	if d := match.Decide(nil, f, consent); d.Reason != match.ReasonNoMatch {
		res.Refused = d.Reason
		return res
	}
	page, err := match.ParseOrigin(f.URL)
	if err != nil { // unreachable: Decide refused it above
		res.Refused = match.ReasonUnsupportedPage
		return res
	}
	var want map[string]bool
	if ids != nil {
		want = make(map[string]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, l := range ix.bySite[page.Site()] {
		if want != nil && !want[l.id] {
			continue
		}
		d := match.Decide(l.saved, f, consent)
		if d.Reason == match.ReasonNoMatch {
			continue
		}
		res.Matches = append(res.Matches, decided{ID: l.id, Name: l.name, Username: l.username, Decision: d})
	}
	// Buckets are filled in load order already; a login is in a bucket at
	// most once, so there is nothing to sort or deduplicate.
	return res
}
