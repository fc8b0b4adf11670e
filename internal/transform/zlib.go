package transform

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
)

// Zlib returns the built-in compression transform: compress (or, when
// compress is false, decompress) the message data with zlib, keeping the
// attributes. Decompression stops at Limits.MaxData bytes (a larger
// result is a failure), so a small compressed bomb cannot exhaust memory.
func Zlib(compress bool) func(Message, Limits) (*Message, error) {
	name := "decompression"
	if compress {
		name = "compression"
	}
	return func(m Message, lim Limits) (*Message, error) {
		out := m
		if compress {
			var b bytes.Buffer
			w := zlib.NewWriter(&b)
			if _, err := w.Write(m.Data); err != nil {
				return nil, &Failure{Function: name, Reason: err.Error()}
			}
			if err := w.Close(); err != nil {
				return nil, &Failure{Function: name, Reason: err.Error()}
			}
			out.Data = b.Bytes()
			return &out, nil
		}
		r, err := zlib.NewReader(bytes.NewReader(m.Data))
		if err != nil {
			return nil, &Failure{Function: name, Reason: fmt.Sprintf("the data is not zlib-compressed: %v", err)}
		}
		defer r.Close()
		limit := int64(lim.MaxData)
		if limit <= 0 {
			limit = MaxMessageBytes
		}
		data, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err != nil {
			return nil, &Failure{Function: name, Reason: fmt.Sprintf("the data does not decompress: %v", err)}
		}
		if int64(len(data)) > limit {
			return nil, &Failure{Function: name, Reason: fmt.Sprintf("the data decompresses to more than %d bytes", limit)}
		}
		out.Data = data
		return &out, nil
	}
}
