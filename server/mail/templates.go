package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net"
	"net/url"
	"strings"
	"text/template"
	"time"
	"unicode"
)

// Portal paths the links in messages point to, relative to the public base
// URL. Tokens travel in the query parameter "token".
const (
	PathActivate      = "/activate"       // ?token=
	PathResetPassword = "/reset-password" // ?token=, or without a token: ask for a reset link
	PathSignIn        = "/signin"
	PathDevices       = "/account/devices"
)

// MaxDeviceNameLen bounds a device name as shown in a message.
const MaxDeviceNameLen = 64

//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

var (
	textTemplates = template.Must(template.ParseFS(templateFS, "templates/*.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/*.html"))
)

// Templates builds the server's messages, with links under one configured
// public base URL.
type Templates struct {
	base *url.URL
}

// NewTemplates returns Templates whose links start with publicBaseURL, the
// address users reach the portal at (for example https://vault.example.com
// or https://example.com/watchword). It must be an absolute https URL, or
// http on a loopback host, with no query or fragment.
func NewTemplates(publicBaseURL string) (*Templates, error) {
	u, err := url.Parse(publicBaseURL)
	if err != nil {
		return nil, fmt.Errorf("public base url: %w", err)
	}
	switch {
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return nil, fmt.Errorf("public base url %q: want scheme://host[:port][/path] only", publicBaseURL)
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
	default:
		return nil, fmt.Errorf("public base url %q: want https (http only on a loopback host)", publicBaseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return &Templates{base: u}, nil
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Link returns the absolute URL of a portal path, with token (if not
// empty) as its query.
func (t *Templates) Link(path, token string) string {
	u := *t.base
	u.Path += path
	if token != "" {
		u.RawQuery = url.Values{"token": {token}}.Encode()
	}
	return u.String()
}

// data is what every template sees.
type data struct {
	Subject     string
	Link        string
	SignInLink  string
	ResetLink   string
	DevicesLink string
	Code        string
	Valid       string
	Device      string
	Time        string
}

func (t *Templates) render(name, to string, d data) (Message, error) {
	var text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, name+".txt", d); err != nil {
		return Message{}, fmt.Errorf("render %s: %w", name, err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, name+".html", d); err != nil {
		return Message{}, fmt.Errorf("render %s: %w", name, err)
	}
	return Message{
		To:      to,
		Subject: d.Subject,
		Text:    text.String(),
		HTML:    html.String(),
		// RFC 3834: tells vacation responders not to answer.
		Headers: map[string]string{"Auto-Submitted": "auto-generated"},
	}, nil
}

// Activation is the message with the link that confirms a new account's
// address. valid is how long the token lives.
func (t *Templates) Activation(to, token string, valid time.Duration) (Message, error) {
	if token == "" {
		return Message{}, errors.New("activation message: empty token")
	}
	return t.render("activation", to, data{
		Subject: "Confirm your email address for Watchword",
		Link:    t.Link(PathActivate, token),
		Valid:   Duration(valid),
	})
}

// RegistrationAttempt tells the owner of an existing account that someone
// tried to register the address again. Sending it (instead of an error on
// the registration form) keeps the form from revealing which addresses
// have accounts.
func (t *Templates) RegistrationAttempt(to string) (Message, error) {
	return t.render("registration-attempt", to, data{
		Subject:    "Someone tried to create a Watchword account with your address",
		SignInLink: t.Link(PathSignIn, ""),
		ResetLink:  t.Link(PathResetPassword, ""),
	})
}

// SignInCode is the two-step sign-in code sent by email.
func (t *Templates) SignInCode(to, code string, valid time.Duration) (Message, error) {
	if code == "" {
		return Message{}, errors.New("sign-in code message: empty code")
	}
	return t.render("sign-in-code", to, data{
		Subject: "Your Watchword sign-in code",
		Code:    code,
		Valid:   Duration(valid),
	})
}

// PasswordReset is the message with the link that sets a new account
// password.
func (t *Templates) PasswordReset(to, token string, valid time.Duration) (Message, error) {
	if token == "" {
		return Message{}, errors.New("password reset message: empty token")
	}
	return t.render("password-reset", to, data{
		Subject: "Set a new Watchword account password",
		Link:    t.Link(PathResetPassword, token),
		Valid:   Duration(valid),
	})
}

// NewDevice tells the account owner about a sign-in on a new device. The
// device name comes from the client and is cleaned (control characters
// removed, length bounded) before it is shown; at is shown in its own
// location, so pass it in the account's time zone.
func (t *Templates) NewDevice(to, device string, at time.Time) (Message, error) {
	return t.render("new-device", to, data{
		Subject:     "New sign-in to your Watchword account",
		Device:      CleanDeviceName(device),
		Time:        formatTime(at),
		DevicesLink: t.Link(PathDevices, ""),
	})
}

// AccountDeleted confirms that an account and its vault were deleted.
func (t *Templates) AccountDeleted(to string, at time.Time) (Message, error) {
	return t.render("account-deleted", to, data{
		Subject: "Your Watchword account was deleted",
		Time:    formatTime(at),
	})
}

// CleanDeviceName returns name without control or format characters, with
// runs of white space collapsed to one space, at most MaxDeviceNameLen characters, or
// "Unnamed device" if nothing is left.
func CleanDeviceName(name string) string {
	var b strings.Builder
	n, space := 0, false
	for _, r := range name {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if r == unicode.ReplacementChar || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if n >= MaxDeviceNameLen {
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	if b.Len() == 0 {
		return "Unnamed device"
	}
	return b.String()
}

func formatTime(t time.Time) string {
	return t.Format("2 January 2006, 15:04 MST")
}

// Duration says d in words for a message: "5 days", "1 hour", "10 minutes".
// It rounds down to the largest whole unit.
func Duration(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case d >= 24*time.Hour:
		return unit(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour:
		return unit(int64(d/time.Hour), "hour")
	case d >= time.Minute:
		return unit(int64(d/time.Minute), "minute")
	default:
		return unit(max(int64(d/time.Second), 0), "second")
	}
}
