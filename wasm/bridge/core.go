package bridge

import (
	"errors"
	"runtime/debug"
	"sort"
	"strconv"
	"sync"

	"watchword/wasm/api"
	"watchword/wasm/vault"
)

// Core is the state behind the JavaScript object: the unlocked vault, if any.
// The Go instance is disposable (a browser stops an idle service worker at
// any moment), so everything Core holds can be rebuilt from what JavaScript
// keeps: the header in storage.local, the vault key in storage.session.
// A Core is safe for concurrent use.
type Core struct {
	mu     sync.Mutex
	key    *vault.Key  // the unlocked vault; nil while locked
	logins *loginIndex // autofill's view of key's logins (match.go)
	sync   syncSlot    // the sync engine of the unlocked vault (sync.go)
}

// NewCore returns a locked core.
func NewCore() *Core { return &Core{} }

// method is one entry of the method table: it decodes its arguments from a,
// does its work, and returns a Result.
type method func(c *Core, a Args) (Result, error)

// methods is the table of every method JavaScript can call. Each file that
// adds a group of methods registers them in its init.
var methods = map[string]method{}

func register(name string, m method) {
	if _, dup := methods[name]; dup {
		panic("bridge: method " + name + " registered twice") // programmer error
	}
	methods[name] = m
}

// Methods returns the names of every method, sorted.
func Methods() []string {
	names := make([]string, 0, len(methods))
	for n := range methods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// internalMessage is all JavaScript learns about a bug: the error or panic
// value may hold secrets (a password, a key, entry contents).
const internalMessage = "internal error"

// Call runs the method name with arguments a. A failure comes back as an
// *api.Error: the error's own code and message when it carries one (core
// packages write those messages for people and keep secrets out of them),
// CodeInternal with a fixed message otherwise, and for a panic.
func (c *Core) Call(name string, a Args) (res Result, err *api.Error) {
	m, ok := methods[name]
	if !ok {
		return nil, api.NewError(api.CodeBadRequest, "no method "+strconv.Quote(name))
	}
	defer func() {
		if r := recover(); r != nil {
			// The stack names code locations only; the panic value is not
			// printed since it may hold secrets.
			logLine("bridge: " + name + " panicked\n" + string(debug.Stack()))
			res, err = nil, &api.Error{Code: api.CodeInternal, Message: internalMessage}
		}
	}()
	r, e := m(c, a)
	if e != nil {
		return nil, toAPIError(name, e)
	}
	return r, nil
}

func toAPIError(name string, err error) *api.Error {
	var ae *api.Error
	if errors.As(err, &ae) && ae.Code != api.CodeInternal {
		return &api.Error{Code: ae.Code, Message: ae.Message, Details: ae.Details}
	}
	// Logged to the worker's own console for debugging; core packages keep
	// secrets out of error text, but JavaScript callers get a fixed message.
	logLine("bridge: " + name + ": " + err.Error())
	return &api.Error{Code: api.CodeInternal, Message: internalMessage}
}
