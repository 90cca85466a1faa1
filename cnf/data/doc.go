// Package data provides the datasets of the mmcnf experiments: the
// cascading moons, MNIST and FashionMNIST (fetched, verified and cached),
// the InstanceMNIST, SubsetMNIST and FashionMNIST sets with their
// out-of-distribution sets, an IDX reader and writer, the 28x28 -> 16x16
// antialiased resize, and loaders for user point files (.csv, .npy).
//
// Images are 1x16x16, stored as float64 pixel values in 0..255 (whole
// numbers, ready for dequantisation), row-major, one image after another.
package data
