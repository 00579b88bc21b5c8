package bridge

import (
	"errors"

	"watchword/wasm/bridge/jsvalue"
)

// jsArgs adapts the arguments of a JavaScript call to Args.
type jsArgs []jsvalue.Value

func (a jsArgs) Len() int { return len(a) }

func (a jsArgs) Present(i int) bool {
	return i < len(a) && !a[i].IsUndefined() && !a[i].IsNull()
}

func (a jsArgs) String(i int) (string, error) {
	if i >= len(a) || a[i].Type() != jsvalue.TypeString {
		return "", errors.New("not a string")
	}
	return a[i].String()
}

var uint8Array = func() jsvalue.Value {
	v, _ := jsvalue.Global().Get("Uint8Array") // present in every browser and worker
	return v
}()

func (a jsArgs) Bytes(i int) ([]byte, error) {
	if i >= len(a) {
		return nil, errors.New("missing")
	}
	v := a[i]
	if v.Type() == jsvalue.TypeString {
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
	if _, err := jsvalue.CopyBytesToGo(b, v); err != nil {
		return nil, err
	}
	return b, nil
}

var jsonParse = func() jsvalue.Value {
	j, _ := jsvalue.Global().Get("JSON")
	p, _ := j.Get("parse")
	return p
}()

// toJS converts a Result to a JavaScript value.
func toJS(r Result) (any, error) {
	switch r := r.(type) {
	case nil:
		return jsvalue.Undefined(), nil
	case string, bool:
		return r, nil
	case []byte:
		arr, err := uint8Array.New(len(r))
		if err != nil {
			return nil, err
		}
		if _, err := jsvalue.CopyBytesToJS(arr, r); err != nil {
			return nil, err
		}
		return arr, nil
	case JSON:
		// One string crosses, one JSON.parse builds the object.
		return jsonParse.Invoke(string(r))
	default:
		return nil, errors.New("a result of this type cannot cross to JavaScript")
	}
}
