// Package nn holds the GoMLX helpers every model family of neurocrypt's
// model home (pkg/models/<family>) shares, so that none of them copies
// another:
//
//   - layers that train on every backend (Dense, Conv1D; pure Go, ONNX
//     Runtime and XLA), Xavier initialisation from the store's seeded RNG
//     (XavierScope) and training-graph marking (MarkTraining);
//   - the step of one player of an alternating, adversarial game with its
//     own optimiser (Player: Alice–Bob vs Eve, generator vs discriminator);
//   - bit-exact checkpoints and weights files with a builder API
//     (Checkpoint(store).Format(tag).Only(scopes...).Done());
//   - timing (TimeCalls, TimeCallsEach: mean and median) and counting a
//     graph's floating-point work (GraphFLOPs, a Player's FLOPCount);
//   - reading scalars back (ReadScalar);
//   - labelled image batches as tensors (ImageBatch).
//
// One folder per model family sits beside this package (ancnet: adversarial
// neural cryptography). A family whose trained models are ciphers registers
// a cipher.Family, so that trained models enter pkg/cipher's registry.
package nn
