package cipher

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
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
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%s key: parameter %s is outside the range of float64", scheme, name)
	}
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

// Float-parameter keys: a key that is a vector of float64 parameters with
// names, printed and parsed as "<scheme>:n1=v1,...", and whose canonical bit
// representation is the 52 mantissa bits of each parameter in order, least
// significant first (the chaotic schemes).

// formatFloatKey prints "<scheme>:n1=v1,…" with round-trip floats.
func formatFloatKey(scheme string, names []string, vals []float64) string {
	var b strings.Builder
	b.WriteString(scheme + ":")
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n + "=" + formatFloat(vals[i]))
	}
	return b.String()
}

// parseFloatKey reads the float parameters names of a key line, in order.
func parseFloatKey(scheme, line string, names []string) ([]float64, error) {
	strs, err := parseKeyLine(scheme, line, names)
	if err != nil {
		return nil, err
	}
	vals := make([]float64, len(names))
	for i, s := range strs {
		if vals[i], err = parseFloat(scheme, names[i], s); err != nil {
			return nil, err
		}
	}
	return vals, nil
}

// flipMantissaBit flips mantissa bit (i mod 52) of vals[i div 52] in
// place, after reducing i modulo 52·len(vals); bit 0 is the least
// significant mantissa bit of vals[0]. Sign and exponent are never touched.
func flipMantissaBit(vals []float64, i int) {
	i = bitIndex(i, len(vals)*mantissaBits)
	k := i / mantissaBits
	vals[k] = math.Float64frombits(math.Float64bits(vals[k]) ^ 1<<(i%mantissaBits))
}

// uniform53 returns a source of uniform values in [0, 1) with 53 random
// bits each, read from rand; the first read error is kept in *err.
func uniform53(rand io.Reader, err *error) func() float64 {
	return func() float64 {
		var b [8]byte
		if _, e := io.ReadFull(rand, b[:]); e != nil && *err == nil {
			*err = e
		}
		return float64(binary.LittleEndian.Uint64(b[:])>>11) * 0x1p-53
	}
}
