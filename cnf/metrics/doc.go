// Package metrics computes the numbers reported for the experiments:
// bits/dim summaries over seeds, out-of-distribution AUROC, and the
// Frechet distance between Gaussian fits of classifier features of two
// image sets ("FD (classifier features)"), with the small convolutional
// classifier that provides those features.
package metrics
