package chaos

import "encoding/binary"

// wordStream is the keystream state shared by the multi-dimensional
// generators that hand out one 32-bit word per coordinate and step
// ([Hopfield], [Cellular]): the stream is the sequence of words
// Word32Of(x_0), Word32Of(x_1), … of each new state, and FillBytes hands out
// their little-endian bytes. pend holds the words of the last step, of which
// the last npend bytes have not been handed out yet. It is a value (no
// pointers) so that the generators stay copyable.
type wordStream struct {
	pend  [maxStreamDim]uint32
	npend int
}

// maxStreamDim bounds the dimension of a generator using wordStream.
const maxStreamDim = 8

// setWords stores the words of state x as pending (all 4·len(x) bytes).
func (s *wordStream) setWords(x []float64) {
	for i, v := range x {
		s.pend[i] = Word32Of(v)
	}
	s.npend = 4 * len(x)
}

// drainBytes copies pending bytes into dst and returns how many it copied;
// dim is the generator's dimension.
func (s *wordStream) drainBytes(dst []byte, dim int) int {
	i := 0
	for ; s.npend > 0 && i < len(dst); i++ {
		k := 4*dim - s.npend
		dst[i] = byte(s.pend[k/4] >> (8 * (k % 4)))
		s.npend--
	}
	return i
}

// drainWords drops the unread bytes of a partly read word, then copies
// pending whole words into dst and returns how many it copied.
func (s *wordStream) drainWords(dst []uint32, dim int) int {
	s.npend -= s.npend % 4
	i := 0
	for ; s.npend > 0 && i < len(dst); i++ {
		dst[i] = s.pend[dim-s.npend/4]
		s.npend -= 4
	}
	return i
}

// putWords writes the little-endian bytes of Word32Of(x_i) to dst, which
// has room for 4·len(x) bytes.
func putWords(dst []byte, x []float64) {
	for i, v := range x {
		binary.LittleEndian.PutUint32(dst[4*i:], Word32Of(v))
	}
}

// fillBytes fills dst with the stream's bytes: pending ones first, then
// 4·dim bytes per call of step, which advances the generator one step and
// returns its new state (dim values). It is the body of the generators'
// FillBytes.
func (s *wordStream) fillBytes(dst []byte, dim int, step func() []float64) {
	per := 4 * dim
	i := s.drainBytes(dst, dim)
	for ; i+per <= len(dst); i += per {
		putWords(dst[i:i+per], step())
	}
	if i < len(dst) {
		s.setWords(step())
		s.drainBytes(dst[i:], dim)
	}
}

// fillWords fills dst with the stream's words: pending whole words first
// (the rest of a partly read word is skipped), then dim words per call of
// step. It is the body of the generators' FillWords.
func (s *wordStream) fillWords(dst []uint32, dim int, step func() []float64) {
	i := s.drainWords(dst, dim)
	for ; i+dim <= len(dst); i += dim {
		for k, v := range step() {
			dst[i+k] = Word32Of(v)
		}
	}
	if i < len(dst) {
		s.setWords(step())
		s.drainWords(dst[i:], dim)
	}
}
