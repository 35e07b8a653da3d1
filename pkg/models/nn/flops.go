package nn

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
)

// FLOPCount holds the floating-point operations of one graph (GraphFLOPs);
// a Player with a FLOPCount stores its step's count each time the step's
// graph is built (once per input shape). Safe for concurrent use.
type FLOPCount struct{ v atomic.Int64 }

// Load returns the count (0 before the graph is built, or where the count
// failed).
func (c *FLOPCount) Load() int64 {
	if c == nil {
		return 0
	}
	return c.v.Load()
}

func (c *FLOPCount) store(n int64) {
	if c != nil {
		c.v.Store(n)
	}
}

var (
	dotAxesRE   = regexp.MustCompile(`lhsContractingAxes=\[([0-9 ]*)\]`)
	convOutChRE = regexp.MustCompile(`KernelOutputChannels:([0-9]+)`)
)

// GraphFLOPs counts the floating-point operations of g's matrix products
// (DotGeneral, and so Einsum and Dense) and convolutions (ConvGeneral), at
// 2 per multiply–add — the convention of GFLOP/s figures. With outputs,
// only the nodes they depend on count: reverse-mode differentiation also
// builds gradients nothing uses (the first layer's gradient with respect
// to the input data), which a step need not compute and PyTorch does not;
// without outputs, every node of g counts. Elementwise
// operations, reductions and gathers are not counted: on these models they
// are a small share of the arithmetic, though not always of the time. A
// convolution with input dilation (the transposed form that gradients
// use) is counted with its inserted zeros, as the backend computes it.
// Ours.
//
// GoMLX exposes no accessor for a node's contracting axes and kernel
// layout, so they are read from the node's description; an unreadable one
// is an error naming the node (a GoMLX upgrade that changes the format
// fails TestGraphFLOPs, not a report).
func GraphFLOPs(g *Graph, outputs ...*Node) (int64, error) {
	nodes := g.Nodes()
	if len(outputs) > 0 {
		nodes = reachable(outputs)
	}
	var total int64
	for _, n := range nodes {
		switch n.Type() {
		case NodeTypeDotGeneral:
			desc := n.String()
			m := dotAxesRE.FindStringSubmatch(desc)
			if m == nil || len(n.Inputs()) < 2 {
				return 0, fmt.Errorf("nn: counting FLOPs: unreadable matrix product %q", desc)
			}
			lhs := n.Inputs()[0].Shape()
			k := int64(1)
			for _, f := range strings.Fields(m[1]) {
				a, err := strconv.Atoi(f)
				if err != nil || a < 0 || a >= lhs.Rank() {
					return 0, fmt.Errorf("nn: counting FLOPs: contracting axis %q of %s out of range", f, lhs)
				}
				k *= int64(lhs.Dimensions[a])
			}
			total += 2 * int64(n.Shape().Size()) * k
		case NodeTypeConvGeneral:
			desc := n.String()
			m := convOutChRE.FindStringSubmatch(desc)
			if m == nil || len(n.Inputs()) < 2 {
				return 0, fmt.Errorf("nn: counting FLOPs: unreadable convolution %q", desc)
			}
			kernel := n.Inputs()[1].Shape()
			oc, err := strconv.Atoi(m[1])
			if err != nil || oc < 0 || oc >= kernel.Rank() || kernel.Dimensions[oc] == 0 {
				return 0, fmt.Errorf("nn: counting FLOPs: kernel output-channel axis %s of %s out of range", m[1], kernel)
			}
			// Each output value is a dot product over the kernel's
			// spatial window and its input channels (already divided
			// by the channel groups; batch groups split the batch, not
			// a value's sum).
			perOut := int64(kernel.Size() / kernel.Dimensions[oc])
			total += 2 * int64(n.Shape().Size()) * perOut
		}
	}
	return total, nil
}

// reachable returns the nodes outputs depend on (outputs included).
func reachable(outputs []*Node) []*Node {
	seen := map[*Node]bool{}
	stack := append([]*Node(nil), outputs...)
	var out []*Node
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
		stack = append(stack, n.Inputs()...)
	}
	return out
}
