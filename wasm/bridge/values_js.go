package bridge

import (
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"
)

// jsArgs adapts the arguments of a JavaScript call to Args.
type jsArgs []safejs.Value

func (a jsArgs) Len() int { return len(a) }

func (a jsArgs) Present(i int) bool {
	return i < len(a) && !a[i].IsUndefined() && !a[i].IsNull()
}

func (a jsArgs) String(i int) (string, error) {
	if i >= len(a) || a[i].Type() != safejs.TypeString {
		return "", errors.New("not a string")
	}
	return a[i].String()
}

var uint8Array = func() safejs.Value {
	v, _ := safejs.Global().Get("Uint8Array") // present in every browser and worker
	return v
}()

func (a jsArgs) Bytes(i int) ([]byte, error) {
	if i >= len(a) {
		return nil, errors.New("missing")
	}
	v := a[i]
	if v.Type() == safejs.TypeString {
		s, err := v.String()
		return []byte(s), err
	}
	if ok, err := v.InstanceOf(uint8Array); err != nil || !ok {
		return nil, errors.New("not a Uint8Array")
	}
	n, err := v.Length()
	if err != nil {
		return nil, err
	}
	b := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(b, v); err != nil {
		return nil, err
	}
	return b, nil
}

var jsonParse = func() safejs.Value {
	j, _ := safejs.Global().Get("JSON")
	p, _ := j.Get("parse")
	return p
}()

// toJS converts a Result to a JavaScript value.
func toJS(r Result) (any, error) {
	switch r := r.(type) {
	case nil:
		return safejs.Undefined(), nil
	case string, bool:
		return r, nil
	case []byte:
		arr, err := uint8Array.New(len(r))
		if err != nil {
			return nil, err
		}
		if _, err := safejs.CopyBytesToJS(arr, r); err != nil {
			return nil, err
		}
		return arr, nil
	case JSON:
		// One string crosses, one JSON.parse builds the object.
		return jsonParse.Invoke(string(r))
	default:
		return nil, fmt.Errorf("result of type %T cannot cross to JavaScript", r)
	}
}
