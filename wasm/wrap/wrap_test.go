package wrap

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

type codeError struct{ code string }

func (e *codeError) Error() string { return "code " + e.code }

// Error reads and unwraps as fmt.Errorf("%s: %w") does.
func TestErrorMatchesErrorf(t *testing.T) {
	for _, cause := range []error{fs.ErrNotExist, &codeError{"x"}, Error("inner", fs.ErrClosed)} {
		got := Error("open entry e1", cause)
		want := fmt.Errorf("%s: %w", "open entry e1", cause)
		if got.Error() != want.Error() {
			t.Errorf("message %q, want %q", got, want)
		}
		if !errors.Is(got, cause) || errors.Unwrap(got) != cause {
			t.Errorf("%v does not unwrap to %v", got, cause)
		}
	}
	var ce *codeError
	if !errors.As(Error("outer", Error("inner", &codeError{"7"})), &ce) || ce.code != "7" {
		t.Error("errors.As does not reach through two wraps")
	}
	if errors.Is(Error("ctx", fs.ErrNotExist), fs.ErrClosed) {
		t.Error("a wrapped error is some other error")
	}
}

// Detail reads and unwraps as fmt.Errorf("%w: %s") does.
func TestDetailMatchesErrorf(t *testing.T) {
	got := Detail(fs.ErrInvalid, "rule 3 has no id")
	want := fmt.Errorf("%w: %s", fs.ErrInvalid, "rule 3 has no id")
	if got.Error() != want.Error() {
		t.Errorf("message %q, want %q", got, want)
	}
	if !errors.Is(got, fs.ErrInvalid) || errors.Unwrap(got) != fs.ErrInvalid {
		t.Errorf("%v does not unwrap to %v", got, fs.ErrInvalid)
	}
}

func TestNilStaysNil(t *testing.T) {
	if err := Error("ctx", nil); err != nil {
		t.Fatalf("Error(ctx, nil) = %v, want nil", err)
	}
	if err := Detail(nil, "detail"); err != nil {
		t.Fatalf("Detail(nil, detail) = %v, want nil", err)
	}
}
