package cli

import (
	"strings"
	"testing"
)

// TestRedactor: a sensitive value never reaches the stream, however the
// writes split it, and everything else arrives unchanged and in order.
func TestRedactor(t *testing.T) {
	const secret = "tok-s3cret-value"
	text := "label token = \"" + secret + "\" and again " + secret + "\nEnter a value: "
	for _, chunk := range []int{1, 2, 3, 5, 7, 16, 1000} {
		var b strings.Builder
		r := newRedactor(&b)
		r.add([]string{secret, "abc", ""}) // too short to filter: kept verbatim
		for i := 0; i < len(text); i += chunk {
			if _, err := r.Write([]byte(text[i:min(i+chunk, len(text))])); err != nil {
				t.Fatal(err)
			}
		}
		// The prompt's tail cannot start the secret: nothing is held back.
		if !strings.HasSuffix(b.String(), "Enter a value: ") {
			t.Errorf("chunk %d: prompt held back: %q", chunk, b.String())
		}
		if err := r.Flush(); err != nil {
			t.Fatal(err)
		}
		want := strings.ReplaceAll(text, secret, "(sensitive)")
		if b.String() != want {
			t.Errorf("chunk %d:\n got %q\nwant %q", chunk, b.String(), want)
		}
	}
	// A prefix of the secret at the end of a write is held until the next
	// write shows whether it is the secret; Flush releases it.
	var b strings.Builder
	r := newRedactor(&b)
	r.add([]string{secret})
	r.Write([]byte("x tok-s3"))
	if b.String() != "x " {
		t.Errorf("held = %q, want %q written", b.String(), "x ")
	}
	r.Flush()
	if b.String() != "x tok-s3" {
		t.Errorf("after Flush %q", b.String())
	}
}
