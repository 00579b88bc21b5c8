package httpapi_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium starts a headless Chromium with a fresh profile for one test. It
// skips when Chromium is not installed, except in CI, where that fails.
func chromium(t *testing.T) context.Context {
	t.Helper()
	bin := os.Getenv("WATCHWORD_CHROMIUM_REAL")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required in CI: %v", err)
		}
		t.Skipf("Chromium is not installed (%v); apt-get install chromium", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // tests may run as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profileDir(t)),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// This chromedp's protocol tables predate some enum values current
	// Chromium sends; it logs and drops those events, which this test does
	// not use. Keep the log to what matters.
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithErrorf(func(format string, args ...any) {
		if msg := fmt.Sprintf(format, args...); !strings.Contains(msg, "could not unmarshal event") {
			t.Logf("chromedp: %s", msg)
		}
	}))
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// TestPortalInChromium drives the portal pages in a real browser with its
// own JavaScript: the live password checklist, the proof of work solved by
// the page, the activation link from the SMTP sink, the profile form
// refused and then applied, signing out and in.
func TestPortalInChromium(t *testing.T) {
	e := newEnv(t)
	ctx := chromium(t)
	const email, password = "grace@example.org", "Grace7Hopper!"

	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// ruleStates reads the checklist: "ok", "bad" or "" per rule.
	ruleStates := func() map[string]string {
		t.Helper()
		var m map[string]string
		run("read the checklist", chromedp.Evaluate(`Object.fromEntries([...document.querySelectorAll("#password-rules li[data-kind]")]
			.map(li => [li.dataset.rule, li.classList.contains("ok") ? "ok" : li.classList.contains("bad") ? "bad" : ""]))`, &m))
		if len(m) == 0 {
			t.Fatal("the register page shows no password rules")
		}
		return m
	}
	count := func(m map[string]string, state string) int {
		n := 0
		for _, s := range m {
			if s == state {
				n++
			}
		}
		return n
	}

	run("open /register", chromedp.Navigate(e.url+"/register"), chromedp.WaitVisible("#register-form", chromedp.ByQuery))
	if untouched := ruleStates(); count(untouched, "ok")+count(untouched, "bad") != 0 {
		t.Fatalf("rules judged before typing: %v", untouched)
	}
	run("type a weak password", chromedp.SendKeys("#password", "ab", chromedp.ByQuery))
	weak := ruleStates()
	if count(weak, "bad") == 0 {
		t.Fatalf("a two-letter password fails no rule: %v", weak)
	}
	run("make it strong", chromedp.SetValue("#password", "", chromedp.ByQuery), chromedp.SendKeys("#password", password, chromedp.ByQuery))
	strong := ruleStates()
	if count(strong, "bad") != 0 || count(strong, "ok") == 0 {
		t.Fatalf("checklist for a good password: %v", strong)
	}
	for rule, state := range weak {
		if state == "bad" && strong[rule] != "ok" {
			t.Errorf("rule %s did not turn from bad to ok: %q", rule, strong[rule])
		}
	}

	run("submit the registration",
		chromedp.SendKeys("#email", email, chromedp.ByQuery),
		chromedp.SendKeys("#confirm", password, chromedp.ByQuery),
		chromedp.Click("#st-skip", chromedp.ByQuery),
		// The page solves the proof of work in the background; submitting
		// waits for it.
		chromedp.Click(`#register-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//h1[contains(., "You are registered")]`, chromedp.BySearch),
	)

	tok := e.linkToken(e.mailTo(email, "Confirm"), "/activate")
	var notice string
	run("open the activation link",
		chromedp.Navigate(e.url+"/activate?token="+tok),
		chromedp.Click(`//button[contains(., "Confirm my address")]`, chromedp.BySearch),
		chromedp.WaitVisible(`#country`, chromedp.ByQuery),
		chromedp.Text(`p.notice`, &notice, chromedp.ByQuery),
	)
	if !strings.Contains(notice, "Your address is confirmed") {
		t.Fatalf("profile page notice %q", notice)
	}

	// The form requires a country in the browser; an old browser without
	// that check still gets the server's clear answer.
	var errText string
	run("apply without a country",
		chromedp.Evaluate(`document.getElementById("country").removeAttribute("required")`, nil),
		chromedp.SetValue(`#time_zone`, "Europe/Berlin", chromedp.ByQuery),
		chromedp.Click(`//button[contains(., "Apply")]`, chromedp.BySearch),
		chromedp.WaitVisible(`#form-error`, chromedp.ByQuery),
		chromedp.Text(`#form-error`, &errText, chromedp.ByQuery),
	)
	if errText != "Country/region is required." {
		t.Fatalf("error shown: %q", errText)
	}
	var kept string
	run("read the kept value", chromedp.Value(`#time_zone`, &kept, chromedp.ByQuery))
	if kept != "Europe/Berlin" {
		t.Fatalf("the refused form lost the time zone: %q", kept)
	}
	run("apply with a country",
		chromedp.SetValue(`#country`, "DE", chromedp.ByQuery),
		chromedp.SetValue(`#date_format`, "DD.MM.YYYY", chromedp.ByQuery),
		chromedp.Click(`//button[contains(., "Apply")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//p[@class="notice" and contains(., "Saved.")]`, chromedp.BySearch),
	)
	acct, err := e.store.AccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	if acct.Country != "DE" || acct.TimeZone != "Europe/Berlin" || acct.DateFormat != "DD.MM.YYYY" || acct.StatementDecision != "skipped" {
		t.Fatalf("stored profile %q %q %q, statement %q", acct.Country, acct.TimeZone, acct.DateFormat, acct.StatementDecision)
	}

	var heading string
	run("sign out and in",
		chromedp.Click(`//header//button[contains(., "Sign out")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//h1[contains(., "Sign in to Watchword")]`, chromedp.BySearch),
		chromedp.SendKeys("#email", email, chromedp.ByQuery),
		chromedp.SendKeys("#password", "Wrong7Hopper!", chromedp.ByQuery),
		chromedp.Click(`//button[contains(., "Sign in")]`, chromedp.BySearch),
		chromedp.WaitVisible(`#form-error`, chromedp.ByQuery),
		chromedp.Text(`#form-error`, &errText, chromedp.ByQuery),
	)
	if errText != "The email address or password is not right." {
		t.Fatalf("wrong password shows %q", errText)
	}
	run("sign in",
		chromedp.SetValue("#password", "", chromedp.ByQuery),
		chromedp.SendKeys("#password", password, chromedp.ByQuery),
		chromedp.Click(`//main//button[contains(., "Sign in")]`, chromedp.BySearch),
		chromedp.WaitVisible(`#h-devices`, chromedp.ByQuery),
		chromedp.Text(`h1`, &heading, chromedp.ByQuery),
	)
	if heading != "Your account" {
		t.Fatalf("after sign-in: %q", heading)
	}
}

// profileDir is a fresh browser profile directory, removed after the test.
// Not t.TempDir: Chromium's helper processes can still be writing to the
// profile for a moment after the browser was stopped, and t.TempDir fails
// the test when its removal meets a file created meanwhile. Removal is
// retried for a few seconds instead.
func profileDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "watchword-portal-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; ; i++ {
			err := os.RemoveAll(dir)
			if err == nil {
				return
			}
			if i == 50 {
				t.Logf("leaving the browser profile %s: %v", dir, err)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return dir
}
