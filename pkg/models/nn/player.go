package nn

import (
	"fmt"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// Player is one side of an alternating game (Alice and Bob against Eve, a
// generator against a discriminator): its variables live under the
// sub-scope Scope of the root scope, and only its own Optimizer updates
// them. GoMLX's train.Trainer updates every trainable variable a graph
// uses; a game needs one optimiser per player instead, each updating its
// own sub-scope (optimizer.Interface.UpdateGraph works on a scope and its
// sub-scopes).
type Player struct {
	// Scope is the player's sub-scope name, e.g. "alicebob" or "eve".
	Scope string
	// Optimizer updates the player's variables (its state — Adam's moments
	// and step counter — lives under the optimiser's own scope).
	Optimizer optimizer.Interface
	// FLOPs, when set, receives the floating-point operations of the
	// step's graph (GraphFLOPs of what its loss, extra outputs and
	// variable updates depend on: forward, the gradients used and the
	// optimiser update) each time it is built; 0 where they could not be
	// counted.
	FLOPs *FLOPCount
}

// NewStep compiles one training step of the player. game builds the graph
// of the whole game from the inputs (every player's networks, the other
// players' outputs wrapped in StopGradient where they must not learn) and
// returns the player's scalar loss first, then any extra outputs. The step
// marks the graph as training and updates only the player's variables.
// Call Exec with the input tensors; it returns the loss and the extras.
func (p Player) NewStep(be compute.Backend, store *model.Store, game func(scope *model.Scope, inputs []*Node) []*Node) (*model.Exec, error) {
	if p.Scope == "" || p.Optimizer == nil {
		return nil, fmt.Errorf("nn: player %q: want a scope name and an optimiser", p.Scope)
	}
	return model.NewExec(be, store, func(scope *model.Scope, inputs []*Node) []*Node {
		MarkTraining(scope, inputs[0].Graph())
		outs := game(scope, inputs)
		g := inputs[0].Graph()
		p.Optimizer.UpdateGraph(scope.At("%s", p.Scope), g, outs[0])
		if p.FLOPs != nil {
			// What the step computes: its outputs and the variables the
			// optimiser updates (model.Exec makes those outputs too).
			roots := append([]*Node(nil), outs...)
			for v := range store.IterVariables() {
				if v.ChangedInGraph(g) {
					roots = append(roots, v.NodeValue(g))
				}
			}
			n, err := GraphFLOPs(g, roots...)
			if err != nil {
				n = 0 // a count is reported, never needed: 0 shows "not counted"
			}
			p.FLOPs.store(n)
		}
		return outs
	})
}
