package standin

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestEmbedded(t *testing.T) {
	names := Names()
	if len(names) != 14 {
		t.Fatalf("got %d photos, want 14: %v", len(names), names)
	}
	src := Sources()
	for _, name := range names {
		data, err := Bytes(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) != 15+512*512 || !bytes.HasPrefix(data, []byte("P5\n512 512\n255\n")) {
			t.Errorf("%s: %d bytes, header %q", name, len(data), data[:15])
		}
		// SOURCES.md lists the SHA-256 of every photo.
		sum := sha256.Sum256(data)
		if !strings.Contains(src, hex.EncodeToString(sum[:])+"  "+name) {
			t.Errorf("%s: SHA-256 %x is not the one in SOURCES.md", name, sum)
		}
	}
	if _, err := Bytes("nope.pgm"); err == nil {
		t.Error("Bytes accepted a missing file")
	}
}
