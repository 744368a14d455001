package syslog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Framing errors. ErrFrameTooLong costs only its frame: the reader skips
// to the next. ErrBadFrame ends the connection: without a valid octet
// count there is no next frame to find.
var (
	ErrFrameTooLong = errors.New("syslog frame too long")
	ErrBadFrame     = errors.New("malformed syslog frame")
)

// maxLenDigits bounds an octet count's digits ("MSG-LEN", RFC 6587).
const maxLenDigits = 10

// framer splits a TCP stream into messages, RFC 6587 style. The framing
// is chosen by the connection's start and kept (senders do not mix the
// two): digits and a space start octet counting ("LEN SP MSG"), anything
// else newline-delimited messages, including lines of a file that start
// with an RFC 3339 timestamp.
type framer struct {
	r    *bufio.Reader
	max  int
	mode byte // 0 until the first byte, then 'o' (octet counting) or 'n'
	buf  []byte
}

func newFramer(r io.Reader, max int) *framer {
	return &framer{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next message, valid until the following call. At the
// end of the stream it returns io.EOF; an error that is neither
// ErrFrameTooLong nor io.EOF ends the stream.
func (f *framer) next() ([]byte, error) {
	if f.mode == 0 {
		// Digits then a space: an octet count. Peek one byte more at a
		// time, never waiting for bytes a short first frame lacks.
		f.mode = 'n'
		for k := 0; ; k++ {
			b, err := f.r.Peek(k + 1)
			if err != nil {
				if k == 0 {
					f.mode = 0
					return nil, err
				}
				break
			}
			if c := b[k]; !isDigit(c) || k == maxLenDigits {
				if c == ' ' && k > 0 {
					f.mode = 'o'
				}
				break
			}
		}
	}
	if f.mode == 'o' {
		return f.octets()
	}
	return f.line()
}

// octets reads "MSG-LEN SP SYSLOG-MSG". Line breaks between frames,
// which some senders add, are skipped.
func (f *framer) octets() ([]byte, error) {
	n, digits := 0, 0
count:
	for {
		c, err := f.r.ReadByte()
		if err != nil {
			if digits > 0 {
				return nil, fmt.Errorf("%w: stream ends inside an octet count", ErrBadFrame)
			}
			return nil, err
		}
		switch {
		case (c == '\n' || c == '\r') && digits == 0:
		case isDigit(c) && digits < maxLenDigits:
			n = n*10 + int(c-'0')
			digits++
		case c == ' ' && n > 0:
			break count
		default:
			return nil, fmt.Errorf("%w: expected an octet count, got byte %q", ErrBadFrame, c)
		}
	}
	if n > f.max {
		if _, err := io.CopyN(io.Discard, f.r, int64(n)); err != nil {
			return nil, fmt.Errorf("%w: stream ends inside a frame of %d bytes", ErrBadFrame, n)
		}
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrFrameTooLong, n, f.max)
	}
	if cap(f.buf) < n {
		f.buf = make([]byte, n)
	}
	f.buf = f.buf[:n]
	if _, err := io.ReadFull(f.r, f.buf); err != nil {
		return nil, fmt.Errorf("%w: stream ends inside a frame of %d bytes", ErrBadFrame, n)
	}
	return trimFrame(f.buf), nil
}

// line reads up to '\n'. An overlong line is skipped to its end and
// reported. A last line without '\n' is a message when the peer closed
// the stream cleanly, and an error otherwise.
func (f *framer) line() ([]byte, error) {
	for {
		f.buf = f.buf[:0]
		tooLong := false
		for {
			chunk, err := f.r.ReadSlice('\n')
			if !tooLong {
				if len(f.buf)+len(chunk) > f.max+2 { // room for "\r\n"
					tooLong, f.buf = true, f.buf[:0]
				} else {
					f.buf = append(f.buf, chunk...)
				}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if tooLong {
				if err != nil && err != io.EOF {
					return nil, err
				}
				return nil, fmt.Errorf("%w: more than %d bytes", ErrFrameTooLong, f.max)
			}
			if err != nil {
				if len(bytes.TrimSpace(f.buf)) == 0 {
					return nil, err
				}
				if err == io.EOF {
					return trimFrame(f.buf), nil
				}
				return nil, fmt.Errorf("%w: stream ends inside a line (%v)", ErrBadFrame, err)
			}
			break
		}
		if msg := trimFrame(f.buf); len(msg) > 0 {
			return msg, nil
		}
	}
}

// trimFrame drops the line ending and the NUL some senders append.
func trimFrame(b []byte) []byte {
	return bytes.TrimRight(b, "\r\n\x00")
}
