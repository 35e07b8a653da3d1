// Package gannet is the GAN cipher of neurocrypt's model home: the survey's
// "direct ciphertext generation" GAN family (shared/papers/
// survey-four-nn-image-encryption-models.txt §2.4, family (3)), trained with
// GoMLX.
//
// Three networks play (all fully convolutional, so a model trained on small
// crops encrypts images of any size):
//
//   - the generator G(x, z) → c turns a plain image x and a key plane z (the
//     secret key expanded by a chaotic map: KeyPlane) into a cipher image c;
//   - the reconstruction network R(c, z) → x̂ decrypts for the key holder;
//   - the discriminator D(c) → logit tells G's cipher images from uniformly
//     random images, the target ciphertext distribution.
//
// G and R form one player (scope ScopeGenRec), D the other (ScopeDisc);
// they train alternately, each with its own Adam optimiser that updates its
// own variables only (nn.Player). G/R's loss is
//
//	AdvWeight·adv + RecWeight·rec + KeyWeight·key + WrongWeight·wrong
//
// with adv the non-saturating GAN loss −log D(G(x, z)) (Goodfellow et al.
// 2014 §3; the minimax objective of the improved-GAN paper's eq. (1) with
// the generator maximising log D instead of minimising log(1 − D)), rec the
// L1 reconstruction error |R(G(x, z), z) − x| and key the hinge
// max(0, KeyMargin − |G(x, z) − G(x, z′)|) for a second, independent key
// plane z′: two keys must give cipher images at least as far apart as two
// independent uniform images are (1/3 per pixel on [0, 1]), and wrong the
// hinge max(0, WrongMargin − |R(c, z′) − x|): decrypting with another
// key's plane must fail (without it R learned to decrypt without the
// key). The adversarial weight ramps up after a warm-up (Config.Warmup).
// D's loss is the
// standard binary cross-entropy on uniform images (label 1) and G's cipher
// images (label 0). Cipher images are rounded to 8 bits inside the graph
// with a straight-through gradient, so D, R and the key term see exactly
// the cipher images that Encrypt writes.
//
// Trained models register as the trained-cipher family "gan" (FamilyName):
// the security battery, the survey table and the attack suite measure them
// like every other cipher. Decryption is lossy (R is learned), so a round
// trip is judged by PSNR/SSIM, never exactness. Training checkpoints and
// resumes bit-identically on the pure Go backend (Model.SetCheckpoints).
//
// The architecture, losses and weights are ours (the survey describes the
// family, not a network); DeepEDN (Ding et al. 2021, a CycleGAN-based
// learned cipher) is the public anchor of the family.
package gannet
