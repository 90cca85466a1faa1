package experiment

import (
	"encoding/json"
	"time"
)

// Names of the two base distributions compared by every study.
const (
	// BaseStandard is the Gaussian N(mu, I) at the training data's mean.
	BaseStandard = "standard"
	// BaseGMM is the mixture of unit-covariance Gaussians at the class means.
	BaseGMM = "gmm"
)

// Bases lists the bases in the order tables and figures show them.
var Bases = []string{BaseStandard, BaseGMM}

// SetResult is one evaluation set's score under one trained model.
type SetResult struct {
	// Name identifies the set, e.g. "class 3", "interpolations", "MNIST".
	Name string `json:"name"`
	// InDistribution is true for held-out data of the training classes.
	InDistribution bool `json:"in_distribution"`
	// N is the number of samples evaluated.
	N int `json:"n"`
	// BitsPerDim is the mean bits/dim over the set's samples.
	BitsPerDim float64 `json:"bits_per_dim"`
	// BitsPerDimStd is the standard deviation of per-sample bits/dim.
	BitsPerDimStd float64 `json:"bits_per_dim_sample_std"`
	// AUROC, for out-of-distribution sets, is the area under the ROC curve
	// of per-sample bits/dim separating this set (positive) from the
	// in-distribution test data; nil for in-distribution sets.
	AUROC *float64 `json:"auroc,omitempty"`
	// TrueBitsPerDim and TrueAUROC, where the data's own density is known
	// (the moons), are the mean bits/dim and the AUROC that density gives
	// the same points: the best a model can do.
	TrueBitsPerDim *float64 `json:"true_bits_per_dim,omitempty"`
	TrueAUROC      *float64 `json:"true_auroc,omitempty"`
}

// CurvePoint is one held-out evaluation during training, from the
// training log.
type CurvePoint struct {
	Iteration  int     `json:"iteration"`
	BitsPerDim float64 `json:"heldout_bits_per_dim"`
	// NFEForward is the mean forward function evaluations per training
	// step since the previous point (0 at iteration 0).
	NFEForward float64 `json:"nfe_forward,omitempty"`
}

// RunResult is everything measured for one unit of work.
type RunResult struct {
	Study    string `json:"study"`
	TrainSet string `json:"train_set"`
	Base     string `json:"base"`
	Seed     int    `json:"seed"`
	// Settings are the study settings the unit was trained with.
	Settings Settings `json:"settings"`
	// Iterations is the number of training iterations completed.
	Iterations int `json:"iterations"`
	// FinalLoss is the mean negative log-likelihood of the last iterations.
	FinalLoss float64 `json:"final_train_loss"`
	// TrainSeconds and EvalSeconds are wall-clock times.
	TrainSeconds float64 `json:"train_seconds"`
	EvalSeconds  float64 `json:"eval_seconds"`
	// NFEForward and NFEBackward are the mean function evaluations per
	// training iteration; EvalNFE the forward evaluations per test batch.
	NFEForward  float64 `json:"nfe_forward"`
	NFEBackward float64 `json:"nfe_backward"`
	EvalNFE     float64 `json:"eval_nfe"`
	// Sets holds the score of every evaluation set.
	Sets []SetResult `json:"sets"`
	// Curve holds the held-out bits/dim at every evaluation during
	// training.
	Curve []CurvePoint `json:"curve,omitempty"`
	// FD is the Frechet distance between classifier features of generated
	// and real test images (image studies only).
	FD *float64 `json:"fd_classifier_features,omitempty"`
	// FDByClass, for the GMM base, is the FD of each class's
	// class-conditional samples against that class's test images.
	FDByClass []ClassFD `json:"fd_by_class,omitempty"`
	// KID is the kernel (inception-style) distance between the same
	// features: the unbiased estimate of the squared maximum mean
	// discrepancy under the kernel (x.y/d + 1)^3.
	KID *float64 `json:"kid_classifier_features,omitempty"`
	// FDSamples and FDTest count the generated and real images of FD.
	FDSamples int `json:"fd_samples,omitempty"`
	FDTest    int `json:"fd_test_images,omitempty"`
	// Classifier describes the feature classifier of FD.
	Classifier *ClassifierInfo `json:"classifier,omitempty"`
	// Samples names the unit's samples file, relative to the output directory.
	Samples string `json:"samples,omitempty"`
	// Model is the trained model's configuration as saved with its weights.
	Model json.RawMessage `json:"model,omitempty"`
	// Environment records what the unit was computed with: the kernel
	// tier, thread count, Go version, platform and the machine's CPUs.
	Environment map[string]string `json:"environment,omitempty"`
}

// UnitRef names a unit of a study.
type UnitRef struct {
	TrainSet string `json:"train_set"`
	Base     string `json:"base"`
	Seed     int    `json:"seed"`
}

// Set returns the result of the named set, or nil.
func (r *RunResult) Set(name string) *SetResult {
	for i := range r.Sets {
		if r.Sets[i].Name == name {
			return &r.Sets[i]
		}
	}
	return nil
}

// Results is the content of results.json: every run and their summary.
type Results struct {
	Study    string   `json:"study"`
	Settings Settings `json:"settings"`
	// Started, Finished and WallSeconds time the invocation that wrote
	// the report (units finished by other invocations are not counted).
	Started     time.Time `json:"started"`
	Finished    time.Time `json:"finished"`
	WallSeconds float64   `json:"wall_seconds"`
	// Environment merges the units' environments (see RunResult): each
	// entry where they agree, else their values comma-separated.
	Environment map[string]string `json:"environment"`
	Runs        []RunResult       `json:"runs"`
	// Missing lists the units that had not finished when the report was
	// written; their numbers are not in it.
	Missing []UnitRef `json:"missing,omitempty"`
	// Summary holds each set's bits/dim and AUROC over seeds.
	Summary []SummaryRow `json:"summary"`
	// Models holds each model's in-distribution bits/dim, cost and sample
	// quality over seeds.
	Models []ModelSummary `json:"models"`
	// Findings holds the paper's findings that the study tests, each with
	// its verdict.
	Findings []Finding `json:"findings,omitempty"`
}
