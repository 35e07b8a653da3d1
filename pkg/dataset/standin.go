package dataset

import (
	"bytes"
	"fmt"

	"github.com/neurocrypt/neurocrypt/datasets/standin"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// standIn is the Source returned by StandIn.
type standIn struct{ names []string }

// StandIn returns the embedded stand-in photos (package datasets/standin):
// 14 CC0 / public-domain 512×512 grayscale photographs. IDs are the file
// names ("ascent.pgm", ...), in sorted order.
func StandIn() Source { return &standIn{names: standin.Names()} }

func (s *standIn) Name() string { return "standin" }

func (s *standIn) Len() int { return len(s.names) }

func (s *standIn) ID(i int) string { return s.names[i] }

func (s *standIn) Load(i int) (*imageio.Gray, error) {
	if i < 0 || i >= len(s.names) {
		return nil, fmt.Errorf("standin: image %d is out of range 0..%d", i, len(s.names)-1)
	}
	data, err := standin.Bytes(s.names[i])
	if err != nil {
		return nil, err
	}
	return imageio.DecodeGray(bytes.NewReader(data), "standin/"+s.names[i])
}

// Size reads image i's PGM header (Sizer).
func (s *standIn) Size(i int) (int, int, error) {
	if i < 0 || i >= len(s.names) {
		return 0, 0, fmt.Errorf("standin: image %d is out of range 0..%d", i, len(s.names)-1)
	}
	data, err := standin.Bytes(s.names[i])
	if err != nil {
		return 0, 0, err
	}
	h, err := imageio.DecodePGMHeader(bytes.NewReader(data), "standin/"+s.names[i])
	if err != nil {
		return 0, 0, err
	}
	return h.Width, h.Height, nil
}
