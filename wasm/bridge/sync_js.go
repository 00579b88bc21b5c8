package bridge

import (
	"context"
	"errors"
	"strings"

	"watchword/wasm/api"
	"watchword/wasm/bridge/jsvalue"
	"watchword/wasm/vaultsync"
	"watchword/wasm/wrap"
)

// The sync methods that take JavaScript values the Args interface does not
// carry (objects, functions, booleans, numbers); the logic is in sync.go.
//
// syncStart's host object:
//
//	{
//	  storage: {
//	    get(key)            → Promise<string | null>
//	    scan(prefix)        → Promise<string | {[key]: string}> (storedscan.go)
//	    write(puts, deletes) → Promise   // puts {[key]: string}, deletes [key]; atomic, durable on resolve
//	  },
//	  request(method, path, body?) → Promise<{status, body}>  // the sync API, authorised; status 0: unreachable
//	  onStatus(statusJSON)         // optional: the status changed
//	}
//
// The storage must apply one write atomically (chrome.storage.local.set
// applies all its keys in one database transaction; deletes ride in the
// same set as null and are removed afterwards) and must not resolve before
// the data is stored: the journal's promise rests on it.
func init() {
	register("syncStart", syncStartJS)
	register("syncSetEnabled", syncSetEnabledJS)
	register("syncNotify", syncNotifyJS)
	register("syncConnectLocal", syncConnectLocalJS)
}

func rawArg(a Args, i int) (jsvalue.Value, error) {
	ja, ok := a.(jsArgs)
	if !ok || !ja.Present(i) {
		return jsvalue.Value{}, badArg(i, "missing")
	}
	return ja[i], nil
}

func syncStartJS(c *Core, a Args) (Result, error) {
	var cfg SyncConfig
	if err := argJSON(a, 0, cfg.ReadJSON); err != nil {
		return nil, err
	}
	host, err := rawArg(a, 1)
	if err != nil {
		return nil, err
	}
	storage, err := host.Get("storage")
	if err != nil || storage.Type() != jsvalue.TypeObject {
		return nil, badArg(1, "host.storage must be an object")
	}
	h := SyncHost{Storage: jsStorage{storage}}
	if req, err := host.Get("request"); err == nil && req.Type() == jsvalue.TypeFunction {
		h.Fetch = jsFetcher{req}
	}
	if fn, err := host.Get("onStatus"); err == nil && fn.Type() == jsvalue.TypeFunction {
		h.OnStatus = func(st []byte) { _, _ = fn.Invoke(string(st)) }
	}
	return c.StartSync(context.Background(), cfg, h)
}

func syncSetEnabledJS(c *Core, a Args) (Result, error) {
	v, err := rawArg(a, 0)
	if err != nil {
		return nil, err
	}
	if v.Type() != jsvalue.TypeBoolean {
		return nil, badArg(0, "want a boolean")
	}
	on, err := v.Bool()
	if err != nil {
		return nil, badArg(0, "want a boolean")
	}
	return c.SetSyncEnabled(on)
}

func syncNotifyJS(c *Core, a Args) (Result, error) {
	v, err := rawArg(a, 0)
	if err != nil {
		return nil, err
	}
	if v.Type() != jsvalue.TypeNumber {
		return nil, badArg(0, "want a number")
	}
	f, err := v.Float()
	if err != nil || f < 0 || f > 1<<53 || f != float64(int64(f)) {
		return nil, badArg(0, "want a whole revision number")
	}
	return nil, c.Notify(int64(f))
}

func syncConnectLocalJS(c *Core, a Args) (Result, error) {
	account, err := argString(a, 0)
	if err != nil {
		return nil, err
	}
	storage, err := rawArg(a, 1)
	if err != nil || storage.Type() != jsvalue.TypeObject {
		return nil, badArg(1, "want a storage object")
	}
	return nil, ConnectLocal(context.Background(), jsStorage{storage}, account)
}

// await waits for a Promise (or a plain value) to settle.
func await(p jsvalue.Value) (jsvalue.Value, error) {
	if p.Type() != jsvalue.TypeObject {
		return p, nil
	}
	then, err := p.Get("then")
	if err != nil || then.Type() != jsvalue.TypeFunction {
		return p, nil
	}
	type outcome struct {
		v   jsvalue.Value
		err error
	}
	done := make(chan outcome, 1)
	onOK := jsvalue.FuncOf(func(_ jsvalue.Value, args []jsvalue.Value) any {
		v := jsvalue.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		done <- outcome{v: v}
		return nil
	})
	defer onOK.Release()
	onErr := jsvalue.FuncOf(func(_ jsvalue.Value, args []jsvalue.Value) any {
		msg := "rejected"
		if len(args) > 0 {
			if m, err := args[0].Get("message"); err == nil && m.Type() == jsvalue.TypeString {
				msg, _ = m.String()
			} else if args[0].Type() == jsvalue.TypeString {
				msg, _ = args[0].String()
			}
		}
		done <- outcome{err: errors.New(msg)}
		return nil
	})
	defer onErr.Release()
	if _, err := p.Call("then", onOK.Value(), onErr.Value()); err != nil {
		return jsvalue.Value{}, err
	}
	o := <-done
	return o.v, o.err
}

// jsStorage is vaultsync.Storage over the host's storage object.
type jsStorage struct{ obj jsvalue.Value }

func (s jsStorage) Get(_ context.Context, key string) ([]byte, error) {
	p, err := s.obj.Call("get", key)
	if err != nil {
		return nil, wrap.Error("storage get", err)
	}
	v, err := await(p)
	if err != nil {
		return nil, wrap.Error("storage get", err)
	}
	if v.IsUndefined() || v.IsNull() {
		return nil, vaultsync.ErrNoValue
	}
	str, err := v.String()
	if err != nil || v.Type() != jsvalue.TypeString {
		return nil, api.NewError(api.CodeInvalid, "storage get "+key+": not a string")
	}
	return decodeStored(str)
}

func (s jsStorage) Scan(_ context.Context, prefix string, fn func(string, []byte) error) error {
	p, err := s.obj.Call("scan", prefix)
	if err != nil {
		return wrap.Error("storage scan", err)
	}
	v, err := await(p)
	if err != nil {
		return wrap.Error("storage scan", err)
	}
	// The answer crosses as one string either way, instead of one call per
	// key: framed pairs (storedscan.go), or the object as JSON.
	each := eachFramedPair
	switch v.Type() {
	case jsvalue.TypeString:
	case jsvalue.TypeObject:
		if v, err = jsonStringify.Invoke(v); err != nil {
			return wrap.Error("storage scan", err)
		}
		each = func(s string, fn func(k, v string) error) error { return eachObjectPair([]byte(s), fn) }
	default:
		return errors.New("storage scan: not a string or an object")
	}
	text, err := v.String()
	if err != nil {
		return wrap.Error("storage scan", err)
	}
	var inner error
	err = each(text, func(k, sv string) error {
		if !strings.HasPrefix(k, prefix) {
			return nil // a key the host should not have sent
		}
		b, err := decodeStored(sv)
		if err != nil {
			inner = wrap.Error("storage scan "+k, err)
			return inner
		}
		inner = fn(k, b)
		return inner
	})
	if err != nil && err != inner {
		return wrap.Error("storage scan", err)
	}
	return err
}

func (s jsStorage) Write(_ context.Context, b vaultsync.Batch) error {
	puts := make(map[string]any, len(b.Put))
	for k, v := range b.Put {
		puts[k] = encodeStored(v)
	}
	dels := make([]any, 0, len(b.Delete))
	for _, k := range b.Delete {
		delete(puts, k) // a key both set and removed is removed
		dels = append(dels, k)
	}
	p, err := s.obj.Call("write", puts, dels)
	if err != nil {
		return wrap.Error("storage write", err)
	}
	if _, err := await(p); err != nil {
		return wrap.Error("storage write", err)
	}
	return nil
}

var jsonStringify = func() jsvalue.Value {
	j, _ := jsvalue.Global().Get("JSON")
	f, _ := j.Get("stringify")
	return f
}()

// jsFetcher is Fetcher over the host's request function.
type jsFetcher struct{ fn jsvalue.Value }

func (f jsFetcher) Fetch(_ context.Context, method, path string, body []byte) (int, []byte, error) {
	var arg any = jsvalue.Undefined()
	if body != nil {
		arg = string(body)
	}
	p, err := f.fn.Invoke(method, path, arg)
	if err != nil {
		return 0, nil, err
	}
	v, err := await(p)
	if err != nil {
		return 0, nil, err
	}
	st, err := v.Get("status")
	if err != nil || st.Type() != jsvalue.TypeNumber {
		return 0, nil, errors.New("request: no status")
	}
	status, err := st.Int()
	if err != nil {
		return 0, nil, err
	}
	bv, err := v.Get("body")
	if err != nil {
		return 0, nil, err
	}
	var out []byte
	if bv.Type() == jsvalue.TypeString {
		s, err := bv.String()
		if err != nil {
			return 0, nil, err
		}
		out = []byte(s)
	}
	return status, out, nil
}
