package chaos_test

import (
	"errors"
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
)

func ExampleLogisticSine() {
	m, err := chaos.NewLogisticSine(3.99, 0.3)
	if err != nil {
		panic(err)
	}
	for i := 0; i < 3; i++ {
		fmt.Printf("%.6f\n", m.Next())
	}
	m.Skip(chaos.MapTransient)
	ks := make([]byte, 4)
	m.FillBytes(ks) // one byte per iteration: floor(x·10^14) mod 256
	fmt.Println(len(ks))
	// Output:
	// 0.839923
	// 0.537671
	// 0.994320
	// 4
}

func ExampleLorenz() {
	l, err := chaos.NewLorenz(0.1, 0.2, 0.3)
	if err != nil {
		panic(err)
	}
	l.Skip(chaos.LorenzTransient) // settle on the attractor
	x, y, z := l.State()
	fmt.Println(x > -25 && x < 25, y > -35 && y < 35, z > 0 && z < 55)
	// Output: true true true
}

func ExampleHopfield() {
	p := chaos.HopfieldParams{W: chaos.HopfieldW, X0: [3]float64{0.1, 0.1, 0.1}}
	if err := chaos.CheckHopfield(p); err != nil { // once per key: refuses weak keys
		panic(err)
	}
	h, err := chaos.NewHopfield(p)
	if err != nil {
		panic(err)
	}
	h.Skip(chaos.HopfieldTransient)
	ks := make([]byte, 30) // 12 bytes per RK4 step, continuous across calls
	h.FillBytes(ks)
	l, _ := chaos.HopfieldLyapunov(p)
	fmt.Println(len(ks), l[0] > chaos.HopfieldMinLyapunov)

	weak := p
	weak.W[0][1] *= 1.06 // a periodic network
	fmt.Println(errors.Is(chaos.CheckHopfield(weak), chaos.ErrWeakKey))
	// Output:
	// 30 true
	// true
}

func ExampleLyapunovSpectrum() {
	l, err := chaos.LyapunovSpectrum(chaos.LorenzFlow{}, []float64{1, 1, 1},
		chaos.LyapunovConfig{Step: 0.01, Transient: 1000, Steps: 100000, Renorm: 10})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.2f %.1f %.1f\n", l[0], math.Abs(l[1]), l[2])
	// Output: 0.90 0.0 -14.6
}

func ExampleCellular() {
	c, err := chaos.NewCellular(chaos.CellularDefault)
	if err != nil {
		panic(err)
	}
	c.Skip(chaos.CellularTransient)
	words := make([]uint32, 6) // one Word32Of per cell and step
	c.FillWords(words)
	l, _ := chaos.CellularLyapunov(chaos.CellularDefault)
	fmt.Println(len(words), l[0] > 0 && l[1] > 0) // hyperchaotic: two positive exponents
	// Output: 6 true
}
