// Package train fits a flow by maximum likelihood: Adam with optional
// warm-up, weight decay and gradient-norm clipping, mini-batches drawn by a
// seeded generator, periodic evaluation on a held-out set logged as JSON
// lines, and checkpoints written atomically from which a run continues
// bit for bit where it stopped.
package train
