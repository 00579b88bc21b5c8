package match

import "strings"

// Rule says how one saved URL matches pages.
type Rule string

// The match rules of a saved URL. The zero value is RuleDomain.
const (
	RuleDomain Rule = ""       // same registrable domain (the default)
	RuleHost   Rule = "host"   // exactly the same host (and port)
	RulePrefix Rule = "prefix" // same origin and the page's path starts with the saved path
	RuleNever  Rule = "never"  // never offered or filled automatically
)

// ParseRule maps a rule's name to a Rule; unknown names are RuleNever, so a
// rule from a newer version can only make matching stricter.
func ParseRule(s string) Rule {
	switch Rule(s) {
	case RuleDomain, "domain":
		return RuleDomain
	case RuleHost, RulePrefix:
		return Rule(s)
	}
	return RuleNever
}

// Saved is one URL of an entry with its rule.
type Saved struct {
	URL  string
	Rule Rule
}

// Frame describes where a fill would happen. Every URL here comes from the
// browser (runtime.MessageSender.url of the frame, the tab's URL for the top
// frame, the form's resolved action), never from a value the page sent.
type Frame struct {
	URL        string // the frame's URL (sender.url)
	TopURL     string // the top-level page's URL (sender.tab.url); equal to URL in the top frame
	Sandboxed  bool   // the frame's document is sandboxed (opaque origin)
	Srcdoc     bool   // the frame was created from srcdoc
	FormAction string // the form's resolved action URL, or "" for none
}

// Consent carries what the user explicitly agreed to for this one fill.
type Consent struct {
	Insecure    bool   // fill on http although the login was saved for https
	FrameOrigin string // the cross-origin frame the user agreed to, as Origin.String
	FormAction  bool   // fill although the form posts to another site
}

// Verdict is the outcome of Decide.
type Verdict string

const (
	Allow   Verdict = "allow"
	Confirm Verdict = "confirm" // ask the user first, naming Decision.Origin
	Refuse  Verdict = "refuse"
)

// Reason explains a Confirm or Refuse verdict. The strings are stable: the
// extension maps them to its own messages.
type Reason string

const (
	ReasonNone             Reason = ""
	ReasonUnsupportedPage  Reason = "unsupported_page"   // not an http(s) page of a named host
	ReasonOpaqueFrame      Reason = "opaque_frame"       // sandboxed, srcdoc, about:blank, data:, blob:
	ReasonNoMatch          Reason = "no_match"           // no saved URL matches this page
	ReasonInsecurePage     Reason = "insecure_page"      // http page, login saved for https
	ReasonCrossOriginFrame Reason = "cross_origin_frame" // the form is in a frame of another origin
	ReasonFormAction       Reason = "form_action"        // the form posts to another site
)

// Decision is Decide's answer. Origin names the thing to confirm: the frame
// origin, the page origin for an insecure page, or the form's target.
type Decision struct {
	Verdict Verdict `json:"verdict"`
	Reason  Reason  `json:"reason,omitempty"`
	Origin  string  `json:"origin,omitempty"`
}

func refuse(r Reason) Decision { return Decision{Verdict: Refuse, Reason: r} }

// Decide reports whether an entry with the saved URLs may be filled into the
// frame, given what the user consented to. Checks run from the hardest
// refusal to the softest confirmation so a consent never unlocks a refusal.
func Decide(saved []Saved, f Frame, c Consent) Decision {
	if f.Sandboxed || f.Srcdoc {
		return refuse(ReasonOpaqueFrame)
	}
	page, err := ParseOrigin(f.URL)
	if err != nil {
		if opaqueScheme(f.URL) {
			return refuse(ReasonOpaqueFrame)
		}
		return refuse(ReasonUnsupportedPage)
	}
	top := page
	if f.TopURL != "" && f.TopURL != f.URL {
		if top, err = ParseOrigin(f.TopURL); err != nil {
			return refuse(ReasonUnsupportedPage)
		}
	}

	best := ReasonNoMatch
	for _, s := range saved {
		switch matches(s, page) {
		case matchExact:
			best = ReasonNone
		case matchInsecure:
			if best == ReasonNoMatch {
				best = ReasonInsecurePage
			}
		}
		if best == ReasonNone {
			break
		}
	}
	switch best {
	case ReasonNoMatch:
		return refuse(ReasonNoMatch)
	case ReasonInsecurePage:
		if !c.Insecure {
			return Decision{Verdict: Confirm, Reason: ReasonInsecurePage, Origin: page.String()}
		}
	}

	if !page.SameOrigin(top) && c.FrameOrigin != page.String() {
		return Decision{Verdict: Confirm, Reason: ReasonCrossOriginFrame, Origin: page.String()}
	}
	if f.FormAction != "" && !c.FormAction {
		if action, err := ParseOrigin(f.FormAction); err == nil && action.Site() != page.Site() {
			return Decision{Verdict: Confirm, Reason: ReasonFormAction, Origin: action.String()}
		}
	}
	return Decision{Verdict: Allow}
}

func opaqueScheme(raw string) bool {
	s := strings.ToLower(strings.TrimSpace(raw))
	for _, p := range []string{"about:", "data:", "blob:", "javascript:", "filesystem:"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

type matchKind int

const (
	matchNone     matchKind = iota
	matchExact              // matches
	matchInsecure           // matches, but the page is http and the login https
)

// matches reports how the saved URL matches the page.
func matches(s Saved, page Origin) matchKind {
	if s.Rule == RuleNever {
		return matchNone
	}
	saved, err := ParseOrigin(s.URL)
	if err != nil {
		return matchNone
	}
	if !sameSite(s.Rule, saved, page) {
		return matchNone
	}
	if saved.Scheme == "https" && page.Scheme == "http" {
		return matchInsecure
	}
	return matchExact
}

// sameSite applies the rule to two origins, ignoring scheme (which Matches
// judges separately).
func sameSite(rule Rule, saved, page Origin) bool {
	if saved.isLocal() || page.isLocal() {
		// Ports separate independent services on one machine.
		if saved.Host != page.Host || saved.Port != page.Port {
			return false
		}
		return rule != RulePrefix || pathHasPrefix(page.Path, saved.Path)
	}
	switch rule {
	case RuleDomain:
		return saved.Site() == page.Site()
	case RuleHost:
		return saved.Host == page.Host && saved.Port == page.Port
	case RulePrefix:
		return saved.Host == page.Host && saved.Port == page.Port && pathHasPrefix(page.Path, saved.Path)
	}
	return false
}

// pathHasPrefix treats the saved path as a directory-ish prefix: "/app"
// matches "/app", "/app/" and "/app/x" but not "/apple".
func pathHasPrefix(path, prefix string) bool {
	if prefix == "/" || path == prefix {
		return true
	}
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return strings.HasSuffix(prefix, "/") || path[len(prefix)] == '/'
}
