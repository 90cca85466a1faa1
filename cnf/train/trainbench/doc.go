// Package trainbench defines the training-throughput workloads of
// DESIGN.md ("Benchmark workloads") and times full training steps on them:
// forward solve with the trace, gradient, gradient-norm clipping and the
// Adam update, exactly as the training loop of package train runs them.
package trainbench
