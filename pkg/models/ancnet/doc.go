// Package ancnet implements adversarial neural cryptography with GoMLX: the
// original scheme of Abadi & Andersen (2016, "Learning to Protect
// Communications with Adversarial Neural Cryptography", here ANC) and the
// chosen-plaintext variant of Coutinho et al. (2018, Sensors 18(5):1306,
// "Learning Perfectly Secure Cryptography to Protect Communications with
// Adversarial Neural Cryptography", here CPA-ANC).
//
// Three networks play: Alice encrypts a plaintext P under a key K into C,
// Bob decrypts C with K, and Eve attacks C. In ANC, Eve tries to reconstruct
// P from C alone; in CPA-ANC, Eve picks two plaintexts P0, P1, Alice encrypts
// one of them (chosen at random) and Eve must tell which.
//
// The package provides the models and losses as separately testable graph
// functions, a two-player training loop with one Adam optimiser per player
// (the players' variables live in the sub-scopes "alicebob" and "eve" and
// each step updates one sub-scope only), evaluation, the security test with
// a freshly initialised Eve retrained against the frozen Alice, the XOR
// (one-time pad) probe and an encryption throughput measurement. Long
// trainings can checkpoint and resume mid-run (Model.SetCheckpoints): a run
// killed and started again on the same checkpoint directory finishes with
// bit-identical weights and curves on the pure Go backend. It works on
// any GoMLX backend; on the pure Go backend results are deterministic given
// the seed.
package ancnet
