package chaos_test

import (
	"fmt"

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
