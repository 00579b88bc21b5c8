package wrap

// Error answers an error whose message is context + ": " + err's message
// and which unwraps to err. A nil err answers nil, so a result can be
// wrapped without checking it first.
func Error(context string, err error) error {
	if err == nil {
		return nil
	}
	return &wrapped{msg: context + ": " + err.Error(), err: err}
}

type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

// Detail answers an error whose message is err's message + ": " + detail
// and which unwraps to err: a sentinel error with its particulars, as
// fmt.Errorf("%w: ...", err) gives.
func Detail(err error, detail string) error {
	if err == nil {
		return nil
	}
	return &wrapped{msg: err.Error() + ": " + detail, err: err}
}
