package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// RowError is a JSON array element that could not be decoded (it is not
// an object, or a field has a type no reader accepts): that row is
// malformed, the stream goes on.
type RowError struct{ Err error }

func (e *RowError) Error() string { return e.Err.Error() }
func (e *RowError) Unwrap() error { return e.Err }

// JSONArray streams the elements of a JSON array, one at a time, with the
// line each starts on: exports hold up to hundreds of thousands of
// places, and a malformed row is reported by its line. The array is the
// document, or the value of one of the wrapping object's keys (an API
// page: {"items": […], "total": …}).
type JSONArray struct {
	dec     *json.Decoder
	src     *window
	wrap    []string
	started bool
	done    bool
}

// NewJSONArray reads the array of r; wrap are the keys of a wrapping
// object that may hold it.
func NewJSONArray(r io.Reader, wrap ...string) *JSONArray {
	w := &window{r: r, line: 1}
	return &JSONArray{dec: json.NewDecoder(w), src: w, wrap: wrap}
}

// Next decodes the next element into v and returns the line it starts
// on; io.EOF after the last. A *RowError leaves the stream able to go on;
// any other error ends it, and names the line where reading stopped.
func (a *JSONArray) Next(v any) (int, error) {
	if a.done {
		return 0, io.EOF
	}
	if !a.started {
		if err := a.start(); err != nil {
			a.done = true
			return a.src.line, err
		}
		a.started = true
	}
	if !a.dec.More() {
		a.done = true
		if _, err := a.dec.Token(); err != nil {
			return a.src.start(a.dec.InputOffset()), a.fatal(err)
		}
		return 0, io.EOF
	}
	// The value's first byte is known once Decode has read it: More
	// stops at the comma before it, maybe at the end of what was read.
	off := a.dec.InputOffset()
	err := a.dec.Decode(v)
	line := a.src.start(off)
	if err == nil {
		return line, nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return line, &RowError{fmt.Errorf("not a place: a JSON %s where an object was expected", te.Value)}
	}
	a.done = true
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return line, fmt.Errorf("line %d: the file ends inside the object that starts here (cut short?)", line)
	}
	return line, a.fatal(err)
}

// start reads up to the array's opening bracket.
func (a *JSONArray) start() error {
	tok, err := a.dec.Token()
	if err != nil {
		return a.fatal(err)
	}
	switch tok {
	case json.Delim('['):
		return nil
	case json.Delim('{'):
		for a.dec.More() {
			key, err := a.dec.Token()
			if err != nil {
				return a.fatal(err)
			}
			if k, _ := key.(string); slices.Contains(a.wrap, k) {
				tok, err := a.dec.Token()
				if err != nil {
					return a.fatal(err)
				}
				if tok != json.Delim('[') {
					return fmt.Errorf("line %d: « %s » is not an array", a.src.start(a.dec.InputOffset()), k)
				}
				return nil
			}
			var skip json.RawMessage
			if err := a.dec.Decode(&skip); err != nil {
				return a.fatal(err)
			}
		}
		if len(a.wrap) == 0 {
			return errors.New("line 1: a JSON object, not an array of places")
		}
		return fmt.Errorf("line 1: a JSON object without an array of places (under « %s »)", a.wrap[0])
	}
	return fmt.Errorf("line 1: not a JSON array of places")
}

// fatal names the line of a decoding error that ends the stream.
func (a *JSONArray) fatal(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("line %d: invalid JSON: %w", a.src.lineAt(se.Offset), err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("line %d: the file ends before the array is closed (cut short?)", a.src.lineAt(a.dec.InputOffset()))
	}
	return fmt.Errorf("line %d: %w", a.src.lineAt(a.dec.InputOffset()), err)
}

// window passes a reader's bytes to the decoder and keeps those the
// decoder has read but the stream has not passed yet, so that an offset
// (json.Decoder.InputOffset, SyntaxError.Offset) becomes a line without
// holding the whole file: lines are counted as the stream moves on.
type window struct {
	r    io.Reader
	buf  []byte // buf[from:] are the bytes from offset base on, as read
	from int
	base int64
	line int // the line offset base is on
}

func (w *window) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	// Passed bytes are dropped by moving the rest down, once they are
	// half the buffer: it then stays the size of the decoder's lookahead.
	if w.from > 0 && 2*w.from >= len(w.buf) {
		w.buf = w.buf[:copy(w.buf, w.buf[w.from:])]
		w.from = 0
	}
	w.buf = append(w.buf, p[:n]...)
	return n, err
}

// advance moves base to off (never back), counting the lines passed.
func (w *window) advance(off int64) {
	k := off - w.base
	if k <= 0 {
		return
	}
	k = min(k, int64(len(w.buf)-w.from))
	w.line += bytes.Count(w.buf[w.from:w.from+int(k)], []byte{'\n'})
	w.from += int(k)
	w.base += k
}

// start moves to the first byte at or after off that is neither
// whitespace nor a comma, where the next value starts, and returns its
// line.
func (w *window) start(off int64) int {
	w.advance(off)
	i := w.from
	for i < len(w.buf) {
		switch w.buf[i] {
		case ' ', '\t', '\r', '\n', ',':
			i++
			continue
		}
		break
	}
	w.advance(w.base + int64(i-w.from))
	return w.line
}

// lineAt returns the line of off, without moving when off is behind.
func (w *window) lineAt(off int64) int {
	if off < w.base {
		return w.line
	}
	w.advance(off)
	return w.line
}
