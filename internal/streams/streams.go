// Package streams registers the PCG stream of every random draw mmcnf
// makes: the second word of rand.NewPCG(seed, stream), which with the
// seed fixes the numbers drawn. Draws that may be made with the same seed
// (a run's seed seeds its initial weights, its mini-batches and its
// held-out noise) must use different streams, or they draw the same
// numbers; every stream is therefore declared here, and the test of this
// package checks that no two overlap and that no other file of the module
// names a stream by a number.
package streams

// Streams of the flows and their training.
const (
	// ModelInit draws a flow's initial weights (cnf.New).
	ModelInit = 0x6d6d636e66 // "mmcnf"
	// TrainLoop draws the training loop's mini-batches and the
	// dequantisation and trace noise of its steps.
	TrainLoop = 0x747261696e // "train"
	// Heldout draws the noise of the training loop's held-out evaluation,
	// afresh at every evaluation.
	Heldout = 0x6576616c // "eval"
	// Eval draws the noise of recipe.Evaluate: `mmcnf eval` and the
	// evaluation of a study's unit, seeded by the run's seed.
	Eval = 0x6576616c2d636c69 // "eval-cli"
	// Sample draws the base points of `mmcnf sample` (recipe.Sample).
	Sample = 0x73616d706c65 // "sample"
)

// Streams of the datasets (cnf/data).
const (
	// Moons draws the training points of the moons, class c from stream
	// Moons + c (so a class's points do not depend on the other classes).
	Moons = 0x6d6f6f6e73 // "moons"
	// MoonsTest draws the test and out-of-distribution points of the
	// moons, class c from MoonsTest + c.
	MoonsTest = Moons + 0x100
	// InstanceTrain, InstanceTest and InstanceOOD draw the noise of the
	// noisy copies of InstanceMNIST's splits, InstanceInterp its
	// interpolations and SubsetInterp those of SubsetMNIST.
	InstanceTrain  = 0x696e737400 // "inst\x00"
	InstanceTest   = InstanceTrain + 1
	InstanceOOD    = InstanceTrain + 2
	InstanceInterp = InstanceTrain + 3
	SubsetInterp   = InstanceTrain + 4
	// HoldOut draws which points of a file are held out for testing.
	HoldOut = 0x686f6c646f7574 // "holdout"
)

// Streams of the feature classifier (cnf/metrics).
const (
	// ClassifierInit draws the classifier's initial weights.
	ClassifierInit = 0x636c6173 // "clas"
	// ClassifierOrder draws the order of its training images.
	ClassifierOrder = 0x6f72646572 // "order"
)

// Streams of the studies (cnf/experiment), seeded by the unit's seed.
const (
	// StudySample draws a unit's samples and its density grid's noise.
	StudySample = 0x657873616d70 // "exsamp"
	// StudyClassifier draws the dequantisation noise of the feature
	// classifier's images.
	StudyClassifier = 0x6578636c6173 // "exclas"
	// StudyQuality draws the dequantisation noise of the real images that
	// FD compares samples with.
	StudyQuality = 0x657871756c74 // "exqult"
)

// Streams of the training benchmarks (cnf/train/trainbench).
const (
	// BenchImages draws the uniform images of the conv16 workload.
	BenchImages = 0x696d67 // "img"
	// BenchNoise draws the noise of the benchmark's training steps.
	BenchNoise = 0x6e6f697365 // "noise"
)

// Classes is the number of consecutive streams that a per-class stream
// (Moons, MoonsTest) spans from its first.
const Classes = 6

// spans gives the number of consecutive streams each stream above uses,
// where that is more than one.
var spans = map[string]uint64{"Moons": Classes, "MoonsTest": Classes}
