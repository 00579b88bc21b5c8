package httpapi

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"watchword/server"
	"watchword/wasm/api"
	"watchword/wasm/policy"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one parsed template set per page (layout + content).
var pages = func() map[string]*template.Template {
	names := []string{"register", "registered", "activate", "profile", "signin", "code", "account", "reset", "resetconfirm", "message"}
	m := make(map[string]*template.Template, len(names))
	for _, n := range names {
		m[n] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/"+n+".html"))
	}
	return m
}()

// page is what every template sees.
type page struct {
	Title  string
	Error  string
	Notice string
	Email  string // the signed-in address, for the header
	Data   any
}

type messageData struct{ Text, Link, LinkText string }

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	var b strings.Builder
	if err := pages[name].ExecuteTemplate(&b, "layout", p); err != nil {
		logger(r).Error("render page", slog.String("page", name), slog.String("err", err.Error()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

// portalSession is a signed-in browser on the portal.
type portalAuth struct {
	session *server.Session
	account *server.Account
}

func (s *Server) cookieName() string {
	// The __Host- prefix makes browsers refuse the cookie unless it is
	// Secure, host-only and for path "/": no subdomain can plant one.
	if s.https {
		return "__Host-watchword"
	}
	return "watchword"
}

func (s *Server) portalSession(r *http.Request) (*portalAuth, error) {
	c, err := r.Cookie(s.cookieName())
	if err != nil || !validTokenSyntax(c.Value) {
		return nil, errNoSession
	}
	sess, err := s.store.SessionByAccess(r.Context(), hashToken(c.Value), s.now())
	if err != nil || !sess.Portal {
		return nil, errNoSession
	}
	acct, err := s.store.AccountByID(r.Context(), sess.AccountID)
	if err != nil {
		return nil, errNoSession
	}
	return &portalAuth{session: sess, account: acct}, nil
}

// startPortalSession signs this browser in with an HttpOnly, SameSite=Strict
// cookie. The session has no usable refresh token: it simply ends.
func (s *Server) startPortalSession(ctx context.Context, w http.ResponseWriter, acct *server.Account) error {
	now := s.now()
	tok, hash := newToken()
	_, unusable := newToken() // a refresh hash nobody holds the token for
	if err := s.store.CreateSession(ctx, &server.Session{
		ID: newID(), AccountID: acct.ID, DeviceName: "Web portal", AccessHash: hash,
		AccessExpiresAt: now.Add(portalTTL), RefreshHash: unusable, RefreshExpiresAt: now.Add(portalTTL),
		CreatedAt: now, LastSeenAt: now, Portal: true,
	}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(), Value: tok, Path: "/", MaxAge: int(portalTTL.Seconds()),
		HttpOnly: true, Secure: s.https, SameSite: http.SameSiteStrictMode,
	})
	return nil
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.https, SameSite: http.SameSiteStrictMode})
}

// sameOriginOrAbsent refuses cross-site form posts. SameSite=Strict already
// keeps the cookie off them; this also covers the forms used before sign-in
// (login CSRF) and browsers without SameSite.
func sameOriginOrAbsent(r *http.Request, s *Server) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site":
		return false
	case "same-origin":
		// Browsers set Sec-Fetch-Site themselves and pages cannot. The
		// portal's no-referrer policy makes Chromium send "Origin: null"
		// with its own form posts, so this is the check that lets them in.
		return true
	}
	o := r.Header.Get("Origin")
	if o == "" || o == "null" && r.Method == http.MethodGet {
		return true
	}
	return o == s.public.Scheme+"://"+s.public.Host
}

// form parses a urlencoded form body of bounded size and valid UTF-8.
func (s *Server) form(w http.ResponseWriter, r *http.Request) error {
	if !sameOriginOrAbsent(r, s) {
		return api.Errorf(api.CodeForbidden, "This form was sent from another site and was refused.")
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return api.Errorf(api.CodeUnsupportedMedia, "The form was sent in a format this page does not accept.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return api.Errorf(api.CodeBadRequest, "The form could not be read.")
	}
	for _, vs := range r.PostForm {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return api.Errorf(api.CodeBadRequest, "The form holds text that is not valid UTF-8.")
			}
		}
	}
	return nil
}

// message turns an error into what a page shows; internal errors are logged
// and shown as a generic apology.
func message(r *http.Request, err error) (string, int) {
	var ae *api.Error
	if errors.As(err, &ae) {
		msg := ae.Message
		if msg != "" {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
			if !strings.HasSuffix(msg, ".") {
				msg += "."
			}
		}
		if ae.Code == api.CodeInvalid && len(ae.Details) > 0 && strings.Contains(msg, "password") {
			msg = "The password does not meet every rule in the list."
		}
		return msg, StatusOf(ae.Code)
	}
	logger(r).Error("portal request failed", slog.String("err", err.Error()))
	return "Something went wrong on our side. Please try again.", http.StatusInternalServerError
}

func (s *Server) portalRoutes() {
	m := s.mux
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServer(http.FS(sub))
	m.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})))
	m.HandleFunc("GET /{$}", s.pageHome)
	m.HandleFunc("GET /register", s.pageRegister)
	m.HandleFunc("POST /register", s.postRegister)
	m.HandleFunc("POST /resend", s.postResend)
	m.HandleFunc("GET /activate", s.pageActivate)
	m.HandleFunc("POST /activate", s.postActivate)
	m.HandleFunc("GET /profile", s.portal(s.pageProfile))
	m.HandleFunc("POST /profile", s.portal(s.postProfile))
	m.HandleFunc("GET /signin", s.pageSignIn)
	m.HandleFunc("POST /signin", s.postSignIn)
	m.HandleFunc("POST /signin/code", s.postCode)
	m.HandleFunc("POST /signin/resend", s.postResendCode)
	m.HandleFunc("POST /signin/method", s.postMethod)
	m.HandleFunc("POST /signout", s.postSignOut)
	m.HandleFunc("GET /reset", s.pageReset)
	m.HandleFunc("POST /reset", s.postReset)
	m.HandleFunc("GET /reset/confirm", s.pageResetConfirm)
	m.HandleFunc("POST /reset/confirm", s.postResetConfirm)
	m.HandleFunc("GET /account", s.portal(s.pageAccount))
	m.HandleFunc("POST /account/connect", s.portal(s.postConnect))
	m.HandleFunc("POST /account/totp", s.portal(s.postTOTP))
	m.HandleFunc("POST /account/totp/confirm", s.portal(s.postTOTPConfirm))
	m.HandleFunc("POST /account/totp/disable", s.portal(s.postTOTPDisable))
	m.HandleFunc("POST /account/email-codes", s.portal(s.postEmailCodes))
	m.HandleFunc("POST /account/devices/signout", s.portal(s.postSignOutDevice))
	m.HandleFunc("POST /account/devices/signout-all", s.portal(s.postSignOutAll))
	m.HandleFunc("POST /account/delete", s.portal(s.postDelete))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusNotFound, "message", page{Title: "Not found",
			Data: messageData{Text: "There is no page here.", Link: "/", LinkText: "Home"}})
	})
}

type portalHandler func(w http.ResponseWriter, r *http.Request, pa *portalAuth)

// portal wraps pages that need a signed-in browser; POSTs are also parsed
// and checked here.
func (s *Server) portal(h portalHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pa, err := s.portalSession(r)
		if err != nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			s.render(w, r, http.StatusUnauthorized, "message", page{Title: "Signed out",
				Data: messageData{Text: "Your session has ended. Sign in again.", Link: "/signin", LinkText: "Sign in"}})
			return
		}
		if r.Method == http.MethodPost {
			if err := s.form(w, r); err != nil {
				msg, st := message(r, err)
				s.render(w, r, st, "message", page{Title: "Not accepted", Email: pa.account.Email, Data: messageData{Text: msg, Link: "/account", LinkText: "Your account"}})
				return
			}
		}
		h(w, r, pa)
	}
}

func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) {
	if _, err := s.portalSession(r); err == nil {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// Registration.

type registerData struct {
	Email            string
	Marketing        bool
	Statement        string
	StatementVersion string
	PoW              api.PoWChallenge
	Rules            []policy.Rule
}

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request, status int, d registerData, errMsg string) {
	c := s.cfg.PoW.Issue()
	d.PoW = api.PoWChallenge{Challenge: c.Token, Difficulty: c.Difficulty, ExpiresAt: c.ExpiresAt}
	d.StatementVersion = s.cfg.StatementVersion
	d.Rules = policy.Account().Rules
	s.render(w, r, status, "register", page{Title: "Create your Watchword account", Error: errMsg, Data: d})
}

func (s *Server) pageRegister(w http.ResponseWriter, r *http.Request) {
	s.registerPage(w, r, http.StatusOK, registerData{}, "")
}

func (s *Server) postRegister(w http.ResponseWriter, r *http.Request) {
	if err := s.form(w, r); err != nil {
		msg, st := message(r, err)
		s.registerPage(w, r, st, registerData{}, msg)
		return
	}
	f := r.PostForm
	d := registerData{Email: f.Get("email"), Marketing: f.Get("marketing") == "yes", Statement: f.Get("statement")}
	if f.Get("password") != f.Get("confirm") {
		s.registerPage(w, r, http.StatusUnprocessableEntity, d, "The two passwords do not match.")
		return
	}
	req := api.RegisterRequest{
		Email: d.Email, Password: f.Get("password"), MarketingConsent: d.Marketing,
		Statement: api.StatementDecision{Decision: d.Statement, Version: f.Get("statement_version")},
		PoW:       api.PoWSolution{Challenge: f.Get("pow_challenge"), Nonce: f.Get("pow_nonce")},
	}
	if err := s.register(r.Context(), clientIP(r), &req); err != nil {
		msg, st := message(r, err)
		s.registerPage(w, r, st, d, msg)
		return
	}
	email, _ := normEmail(d.Email)
	s.render(w, r, http.StatusOK, "registered", page{Title: "You are registered", Data: email})
}

func (s *Server) postResend(w http.ResponseWriter, r *http.Request) {
	if err := s.form(w, r); err != nil {
		msg, st := message(r, err)
		s.render(w, r, st, "message", page{Title: "Not sent", Data: messageData{Text: msg}})
		return
	}
	email := r.PostForm.Get("email")
	if err := s.resend(r.Context(), email); err != nil {
		msg, st := message(r, err)
		s.render(w, r, st, "message", page{Title: "Not sent", Data: messageData{Text: msg}})
		return
	}
	e, _ := normEmail(email)
	s.render(w, r, http.StatusOK, "registered", page{Title: "Check your email", Notice: "If the address still needs confirming, a new message is on its way.", Data: e})
}

// Activation: the emailed link opens a page with a button, and only the
// button's POST uses the token, so mail scanners that fetch links cannot
// burn it.

func (s *Server) pageActivate(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if !validTokenSyntax(tok) {
		s.render(w, r, http.StatusNotFound, "message", page{Title: "Link not valid", Data: messageData{Text: "This confirmation link is not valid any more. Sign in and ask for a new one.", Link: "/signin", LinkText: "Sign in"}})
		return
	}
	s.render(w, r, http.StatusOK, "activate", page{Title: "Confirm your email address", Data: tok})
}

func (s *Server) postActivate(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) {
		msg, st := message(r, err)
		s.render(w, r, st, "message", page{Title: "Link not valid", Data: messageData{Text: msg, Link: "/signin", LinkText: "Sign in"}})
	}
	if err := s.form(w, r); err != nil {
		fail(err)
		return
	}
	acct, err := s.activate(r.Context(), r.PostForm.Get("token"))
	if err != nil {
		fail(err)
		return
	}
	if err := s.startPortalSession(r.Context(), w, acct); err != nil {
		fail(err)
		return
	}
	http.Redirect(w, r, "/profile?welcome=1", http.StatusSeeOther)
}

// Profile.

type profileData struct {
	api.Profile
	api.ProfileOptions
}

func (s *Server) profilePage(w http.ResponseWriter, r *http.Request, status int, pa *portalAuth, p api.Profile, errMsg, notice string) {
	s.render(w, r, status, "profile", page{Title: "Your profile", Email: pa.account.Email, Error: errMsg, Notice: notice,
		Data: profileData{Profile: p, ProfileOptions: s.cfg.Profiles.Options()}})
}

func (s *Server) pageProfile(w http.ResponseWriter, r *http.Request, pa *portalAuth) {
	notice := ""
	if r.URL.Query().Get("welcome") == "1" {
		notice = "Your address is confirmed. Tell us where you are to finish."
	}
	a := pa.account
	s.profilePage(w, r, http.StatusOK, pa, api.Profile{Country: a.Country, TimeZone: a.TimeZone, DateFormat: a.DateFormat}, "", notice)
}

func (s *Server) postProfile(w http.ResponseWriter, r *http.Request, pa *portalAuth) {
	f := r.PostForm
	p := api.Profile{Country: f.Get("country"), TimeZone: f.Get("time_zone"), DateFormat: f.Get("date_format")}
	if err := s.applyProfile(r.Context(), pa.account, p); err != nil {
		msg, st := message(r, err)
		s.profilePage(w, r, st, pa, p, msg, "")
		return
	}
	s.profilePage(w, r, http.StatusOK, pa, p, "", "Saved.")
}

// Sign-in.

type signInData struct {
	Email     string
	Providers []api.IdentityProvider
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request, status int, email, errMsg string) {
	s.render(w, r, status, "signin", page{Title: "Sign in to Watchword", Error: errMsg,
		Data: signInData{Email: email, Providers: s.providerList("")}})
}

func (s *Server) pageSignIn(w http.ResponseWriter, r *http.Request) {
	s.signInPage(w, r, http.StatusOK, "", "")
}

func (s *Server) postSignIn(w http.ResponseWriter, r *http.Request) {
	if err := s.form(w, r); err != nil {
		msg, st := message(r, err)
		s.signInPage(w, r, st, "", msg)
		return
	}
	f := r.PostForm
	res, err := s.signIn(r.Context(), clientIP(r), &api.SignInRequest{Email: f.Get("email"), Password: f.Get("password"), DeviceName: "Web portal"})
	if err != nil {
		msg, st := message(r, err)
		s.signInPage(w, r, st, f.Get("email"), msg)
		return
	}
	if res.twoStep != nil {
		s.render(w, r, http.StatusOK, "code", page{Title: "Enter your security code", Data: res.twoStep})
		return
	}
	s.finishPortalSignIn(w, r, res.account)
}

func (s *Server) finishPortalSignIn(w http.ResponseWriter, r *http.Request, acct *server.Account) {
	if err := s.startPortalSession(r.Context(), w, acct); err != nil {
		msg, st := message(r, err)
		s.signInPage(w, r, st, acct.Email, msg)
		return
	}
	dest := "/account"
	if acct.Country == "" {
		dest = "/profile"
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// codePage re-renders the code form for a challenge (after a wrong code, a
// resend or a method switch).
func (s *Server) codePage(w http.ResponseWriter, r *http.Request, status int, id, method, errMsg, notice string) {
	ch, err := s.store.Challenge(r.Context(), id)
	if err != nil || !s.now().Before(ch.ExpiresAt) || ch.Method == methodUnlock {
		s.signInPage(w, r, http.StatusUnauthorized, "", "The sign-in expired. Start again.")
		return
	}
	acct, err := s.store.AccountByID(r.Context(), ch.AccountID)
	if err != nil {
		s.signInPage(w, r, http.StatusUnauthorized, "", "The sign-in expired. Start again.")
		return
	}
	methods := s.methods(acct)
	if len(methods) == 0 {
		methods = []string{api.MethodEmail}
	}
	v := s.challengeView(acct, ch, methods)
	if method != "" {
		v.Method = method
	}
	s.render(w, r, status, "code", page{Title: "Enter your security code", Error: errMsg, Notice: notice, Data: v})
}

func (s *Server) postCode(w http.ResponseWriter, r *http.Request) {
	if err := s.form(w, r); err != nil {
		msg, st := message(r, err)
		s.signInPage(w, r, st, "", msg)
		return
	}
	f := r.PostForm
	id, method := f.Get("challenge_id"), f.Get("method")
	ch, err := s.useCode(r.Context(), id, method, strings.TrimSpace(f.Get("code")), "")
	if err != nil {
		msg, st := message(r, err)
		if api.CodeOf(err) == api.CodeRateLimited {
			s.signInPage(w, r, st, "", msg)
			return
		}
		s.codePage(w, r, st, id, method, msg, "")
		return
	}
	acct, err := s.store.AccountByID(r.Context(), ch.AccountID)
	if err != nil {
		s.signInPage(w, r, http.StatusUnauthorized, "", "The sign-in expired. Start again.")
		return
	}
	s.finishPortalSignIn(w, r, acct)
}

func (s *Server) postResendCode(w http.ResponseWriter, r *http.Request) {
	if err := s.form(w, r); err != nil {
		msg, st := message(r, err)
		s.signInPage(w, r, st, "", msg)
		return
	}
	id, method := r.PostForm.Get("challenge_id"), r.PostForm.Get("method")
	if _, err := s.resendCode(r.Context(), id, method); err != nil {
		msg, st := message(r, err)
		s.codePage(w, r, st, id, "", msg, "")
		return
	}
	s.codePage(w, r, http.StatusOK, id, "", "", "A new code is on its way.")
}

func (s *Server) postMethod(w http.ResponseWriter, r *http.Request) {
	if err := s.form(w, r); err != nil {
		msg, st := message(r, err)
		s.signInPage(w, r, st, "", msg)
		return
	}
	method := r.PostForm.Get("method")
	if method != api.MethodTOTP && method != api.MethodRecovery {
		method = ""
	}
	s.codePage(w, r, http.StatusOK, r.PostForm.Get("challenge_id"), method, "", "")
}

func (s *Server) postSignOut(w http.ResponseWriter, r *http.Request) {
	if err := s.form(w, r); err == nil {
		if pa, err := s.portalSession(r); err == nil {
			if err := s.store.DeleteSession(r.Context(), pa.account.ID, pa.session.ID); err != nil && !errors.Is(err, server.ErrNotFound) {
				logger(r).Error("portal sign-out", slog.String("err", err.Error()))
			}
		}
	}
	s.clearCookie(w)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// Password reset.

type resetData struct {
	Email string
	Sent  bool
	Token string
	Rules []policy.Rule
}

func (s *Server) pageReset(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset", page{Title: "Reset your account password", Data: resetData{}})
}

func (s *Server) postReset(w http.ResponseWriter, r *http.Request) {
	err := s.form(w, r)
	if err == nil {
		err = s.requestReset(r.Context(), r.PostForm.Get("email"))
	}
	if err != nil {
		msg, st := message(r, err)
		s.render(w, r, st, "reset", page{Title: "Reset your account password", Error: msg, Data: resetData{Email: r.PostForm.Get("email")}})
		return
	}
	s.render(w, r, http.StatusOK, "reset", page{Title: "Check your email", Data: resetData{Sent: true}})
}

func (s *Server) pageResetConfirm(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if !validTokenSyntax(tok) {
		s.render(w, r, http.StatusNotFound, "message", page{Title: "Link not valid", Data: messageData{Text: "This link is not valid any more; ask for a new one.", Link: "/reset", LinkText: "Reset password"}})
		return
	}
	s.render(w, r, http.StatusOK, "resetconfirm", page{Title: "Choose a new account password", Data: resetData{Token: tok, Rules: policy.Account().Rules}})
}

func (s *Server) postResetConfirm(w http.ResponseWriter, r *http.Request) {
	err := s.form(w, r)
	tok := r.PostForm.Get("token")
	if err == nil && r.PostForm.Get("password") != r.PostForm.Get("confirm") {
		err = api.Errorf(api.CodeInvalid, "the two passwords do not match")
	}
	if err == nil {
		_, err = s.resetPassword(r.Context(), tok, r.PostForm.Get("password"))
	}
	if err != nil {
		msg, st := message(r, err)
		s.render(w, r, st, "resetconfirm", page{Title: "Choose a new account password", Error: msg, Data: resetData{Token: tok, Rules: policy.Account().Rules}})
		return
	}
	s.render(w, r, http.StatusOK, "message", page{Title: "Password changed", Data: messageData{
		Text: "Your account password is changed and every device was signed out. Sign in again with the new password.", Link: "/signin", LinkText: "Sign in"}})
}

// The account page.

type accountData struct {
	Info     api.AccountInfo
	Devices  []api.Device
	Connect  string
	Enrol    *api.TOTPEnrolment
	EnrolURI template.URL // otpauth: is not a scheme html/template trusts by itself
	Recovery []string
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, status int, pa *portalAuth, d accountData, errMsg, notice string) {
	d.Info = s.accountInfo(pa.account)
	list, err := s.store.Sessions(r.Context(), pa.account.ID)
	if err != nil {
		msg, st := message(r, err)
		s.render(w, r, st, "message", page{Title: "Your account", Email: pa.account.Email, Data: messageData{Text: msg}})
		return
	}
	for _, x := range list {
		d.Devices = append(d.Devices, api.Device{SessionID: x.ID, DeviceName: x.DeviceName, CreatedAt: x.CreatedAt,
			LastSeenAt: x.LastSeenAt, Current: x.ID == pa.session.ID, Portal: x.Portal})
	}
	if d.Enrol != nil && strings.HasPrefix(d.Enrol.URI, "otpauth://") {
		d.EnrolURI = template.URL(d.Enrol.URI)
	}
	s.render(w, r, status, "account", page{Title: "Your account", Email: pa.account.Email, Error: errMsg, Notice: notice, Data: d})
}

func (s *Server) pageAccount(w http.ResponseWriter, r *http.Request, pa *portalAuth) {
	s.accountPage(w, r, http.StatusOK, pa, accountData{}, "", "")
}

func (s *Server) afterAction(w http.ResponseWriter, r *http.Request, pa *portalAuth, d accountData, err error, notice string) {
	if err != nil {
		msg, st := message(r, err)
		s.accountPage(w, r, st, pa, d, msg, "")
		return
	}
	s.accountPage(w, r, http.StatusOK, pa, d, "", notice)
}

func (s *Server) postConnect(w http.ResponseWriter, r *http.Request, pa *portalAuth) {
	code, err := s.newHandoff(r.Context(), pa.account, autoConnectTTL, "portal")
	s.afterAction(w, r, pa, accountData{Connect: code}, err, "")
}

func (s *Server) postTOTP(w http.ResponseWriter, r *http.Request, pa *portalAuth) {
	e, err := s.enrolTOTP(r.Context(), pa.account)
	s.afterAction(w, r, pa, accountData{Enrol: e}, err, "")
}

func (s *Server) postTOTPConfirm(w http.ResponseWriter, r *http.Request, pa *portalAuth) {
	codes, err := s.confirmTOTP(r.Context(), pa.account, r.PostForm.Get("code"))
	if err != nil {
		d := accountData{}
		if pa.account.TOTPSecret != "" && !pa.account.TOTPEnabled {
			d.Enrol = &api.TOTPEnrolment{Secret: pa.account.TOTPSecret, URI: totpURI(pa.account)}
		}
		s.afterAction(w, r, pa, d, err, "")
		return
	}
	s.afterAction(w, r, pa, accountData{Recovery: codes.Codes}, nil, "The authenticator app is on.")
}

func totpURI(a *server.Account) string {
	v := url.Values{"secret": {a.TOTPSecret}, "issuer": {"Watchword"}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + url.PathEscape("Watchword:"+a.Email) + "?" + v.Encode()
}

func (s *Server) postTOTPDisable(w http.ResponseWriter, r *http.Request, pa *portalAuth) {
	err := s.disableTOTP(r.Context(), pa.account, r.PostForm.Get("password"))
	s.afterAction(w, r, pa, accountData{}, err, "The authenticator app is off.")
}

func (s *Server) postEmailCodes(w http.ResponseWriter, r *http.Request, pa *portalAuth) {
	a := pa.account
	err := s.setTwoStep(r.Context(), a, api.TwoStepSettings{EmailCodes: r.PostForm.Get("email_codes") == "yes", SMSCodes: a.SMSCodes, Phone: a.Phone})
	s.afterAction(w, r, pa, accountData{}, err, "Saved.")
}

func (s *Server) postSignOutDevice(w http.ResponseWriter, r *http.Request, pa *portalAuth) {
	err := s.store.DeleteSession(r.Context(), pa.account.ID, r.PostForm.Get("session_id"))
	if errors.Is(err, server.ErrNotFound) {
		err = api.Errorf(api.CodeNotFound, "that device was already signed out")
	}
	s.afterAction(w, r, pa, accountData{}, err, "The device is signed out.")
}

func (s *Server) postSignOutAll(w http.ResponseWriter, r *http.Request, pa *portalAuth) {
	if err := s.store.DeleteSessions(r.Context(), pa.account.ID); err != nil {
		s.afterAction(w, r, pa, accountData{}, err, "")
		return
	}
	s.clearCookie(w)
	s.render(w, r, http.StatusOK, "message", page{Title: "Signed out everywhere", Data: messageData{Text: "Every device and browser is signed out.", Link: "/signin", LinkText: "Sign in"}})
}

func (s *Server) postDelete(w http.ResponseWriter, r *http.Request, pa *portalAuth) {
	if err := s.deleteAccount(r.Context(), pa.account, r.PostForm.Get("password")); err != nil {
		s.afterAction(w, r, pa, accountData{}, err, "")
		return
	}
	s.clearCookie(w)
	s.render(w, r, http.StatusOK, "message", page{Title: "Account deleted", Data: messageData{Text: "Your account and the encrypted vault stored here are deleted.", Link: "/register", LinkText: "Create an account"}})
}
