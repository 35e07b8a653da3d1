package cipher

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// parseKeyLine splits "<scheme>:n1=v1,n2=v2,..." into its values, in the
// order of names. Every name must appear exactly once, in any order, and no
// other name may appear. Spaces around the line and around names and values
// are ignored.
func parseKeyLine(scheme, line string, names []string) ([]string, error) {
	l := strings.TrimSpace(line)
	if strings.ContainsAny(l, "\r\n") {
		return nil, fmt.Errorf("%s key: must be one line", scheme)
	}
	body, ok := strings.CutPrefix(l, scheme+":")
	if !ok {
		// Errors never repeat any part of a key line (key material may be
		// anywhere in a mangled one).
		return nil, fmt.Errorf("%s key: the key line does not start with %q", scheme, scheme+":")
	}
	vals := make([]string, len(names))
	seen := make([]bool, len(names))
	want := strings.Join(names, ", ")
	for field, f := range strings.Split(body, ",") {
		n, v, ok := strings.Cut(f, "=")
		n, v = strings.TrimSpace(n), strings.TrimSpace(v)
		if !ok || n == "" {
			return nil, fmt.Errorf("%s key: field %d is not name=value (parameters: %s)", scheme, field+1, want)
		}
		i := indexOf(names, n)
		if i < 0 {
			return nil, fmt.Errorf("%s key: field %d names no parameter of this scheme (parameters: %s)", scheme, field+1, want)
		}
		if seen[i] {
			return nil, fmt.Errorf("%s key: parameter %s given twice", scheme, n)
		}
		seen[i], vals[i] = true, v
	}
	for i, s := range seen {
		if !s {
			return nil, fmt.Errorf("%s key: parameter %s is missing (parameters: %s)", scheme, names[i], want)
		}
	}
	return vals, nil
}

func indexOf(names []string, n string) int {
	for i, m := range names {
		if m == n {
			return i
		}
	}
	return -1
}

// parseFloat parses a float parameter, naming it in the error.
func parseFloat(scheme, name, v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("%s key: parameter %s is not a number", scheme, name)
	}
	return f, nil
}

// formatFloat prints the shortest decimal that parses back to exactly f.
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// seededRand returns a ChaCha8 generator keyed by seed and a domain string,
// so that different schemes draw independent keys from the same seed.
func seededRand(domain string, seed uint64) *rand.Rand {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:8], seed)
	copy(s[8:], "nc/cipher/"+domain) // 24 bytes fit: keep domains short
	return rand.New(rand.NewChaCha8(s))
}

// bitIndex reduces i modulo n into [0, n).
func bitIndex(i, n int) int {
	i %= n
	if i < 0 {
		i += n
	}
	return i
}
