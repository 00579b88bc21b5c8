package jsonwire

// WriteArray writes xs as encoding/json writes a slice: null for nil,
// otherwise an array of the elements, each written by write.
func WriteArray[T any](w *Writer, xs []T, write func(T, *Writer)) {
	if xs == nil {
		w.Null()
		return
	}
	w.BeginArray()
	for _, x := range xs {
		write(x, w)
	}
	w.EndArray()
}

// ReadArray reads an array as encoding/json reads a slice: null is nil,
// [] an empty slice, and each element is read by read into a zero T.
func ReadArray[T any](d *Decoder, read func(*T, *Decoder)) []T {
	if d.Null() {
		return nil
	}
	out := []T{}
	for ok := d.Array(); ok && d.Elem(); {
		var x T
		read(&x, d)
		out = append(out, x)
	}
	return out
}
