package bridge

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
)

// goArgs is Args over plain Go values: string, []byte, nil (undefined).
type goArgs []any

func (a goArgs) Len() int           { return len(a) }
func (a goArgs) Present(i int) bool { return i < len(a) && a[i] != nil }
func (a goArgs) String(i int) (string, error) {
	if i < len(a) {
		if s, ok := a[i].(string); ok {
			return s, nil
		}
	}
	return "", errors.New("not a string")
}
func (a goArgs) Bytes(i int) ([]byte, error) {
	if i < len(a) {
		switch v := a[i].(type) {
		case string:
			return []byte(v), nil
		case []byte:
			return slices.Clone(v), nil
		}
	}
	return nil, errors.New("not bytes")
}

// secret stands for anything a panic or an internal error might carry.
const secret = "correct horse battery staple"

func init() {
	register("testPanic", func(c *Core, a Args) (Result, error) { panic(secret) })
	register("testInternal", func(c *Core, a Args) (Result, error) {
		return nil, fmt.Errorf("wrapped: %w", errors.New(secret))
	})
	register("testInternalAPI", func(c *Core, a Args) (Result, error) {
		return nil, api.Errorf(api.CodeInternal, "%s", secret)
	})
	register("testEcho", func(c *Core, a Args) (Result, error) {
		if err := need(a, 1); err != nil {
			return nil, err
		}
		var s string
		err := argJSON(a, 0, func(d *jsonwire.Decoder) {
			for ok := d.Object(); ok && d.Member(); {
				if d.Key() != "s" {
					d.Unknown()
					continue
				}
				s = d.String()
			}
		})
		if err != nil {
			return nil, err
		}
		return writeJSON(func(w *jsonwire.Writer) {
			w.BeginObject()
			w.StringField("s", s)
			w.EndObject()
		})
	})
}

func TestCallErrors(t *testing.T) {
	tests := []struct {
		name   string
		method string
		args   goArgs
		code   api.Code
		msg    string // substring of the message
	}{
		{"unknown method", "noSuchMethod", nil, api.CodeBadRequest, `no method "noSuchMethod"`},
		{"panic is internal", "testPanic", nil, api.CodeInternal, internalMessage},
		{"plain error is internal", "testInternal", nil, api.CodeInternal, internalMessage},
		{"internal api error hides its message", "testInternalAPI", nil, api.CodeInternal, internalMessage},
		{"missing argument", "testEcho", nil, api.CodeBadRequest, "1 argument(s) required"},
		{"undefined argument", "testEcho", goArgs{nil}, api.CodeBadRequest, "argument 1: missing"},
		{"wrong type", "testEcho", goArgs{42}, api.CodeBadRequest, "argument 1: want a Uint8Array or a string"},
		{"bad JSON", "testEcho", goArgs{`{"s":`}, api.CodeBadRequest, "argument 1: bad JSON"},
		{"unknown field", "testEcho", goArgs{`{"s":"x","t":1}`}, api.CodeBadRequest, "unknown field"},
		{"trailing data", "testEcho", goArgs{`{"s":"x"} {}`}, api.CodeBadRequest, "data after the value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := NewCore().Call(tt.method, tt.args)
			if err == nil {
				t.Fatalf("Call succeeded with %v, want code %s", res, tt.code)
			}
			if err.Code != tt.code || !strings.Contains(err.Message, tt.msg) {
				t.Fatalf("Call error = %v, want code %s and a message containing %q", err, tt.code, tt.msg)
			}
			if strings.Contains(err.Message, secret) {
				t.Fatalf("error message leaks the secret: %q", err.Message)
			}
		})
	}
}

func TestCallEcho(t *testing.T) {
	for _, arg := range []any{`{"s":"héllo"}`, []byte(`{"s":"héllo"}`)} {
		t.Run(fmt.Sprintf("%T", arg), func(t *testing.T) {
			res, err := NewCore().Call("testEcho", goArgs{arg})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(res.(JSON)), `{"s":"héllo"}`; got != want {
				t.Fatalf("result = %s, want %s", got, want)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	res, err := NewCore().Call("version", nil)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Bridge  string   `json:"bridge"`
		Go      string   `json:"go"`
		Methods []string `json:"methods"`
	}
	if err := json.Unmarshal(res.(JSON), &v); err != nil {
		t.Fatal(err)
	}
	if v.Bridge != Version || !strings.HasPrefix(v.Go, "go") || !slices.Contains(v.Methods, "version") {
		t.Fatalf("version() = %+v", v)
	}
}
