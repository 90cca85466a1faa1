package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"path/filepath"

	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/metrics"
	"github.com/mmcnf/mmcnf/internal/streams"
)

// ClassifierInfo describes the feature classifier behind a unit's FD
// (classifier features).
type ClassifierInfo struct {
	// Source is the 10-class dataset it was trained on ("mnist" or
	// "fashion-mnist-full"), 16x16, dequantised as the flows see it.
	Source string `json:"source"`
	// Dir holds its weights and this description, relative to the output
	// directory.
	Dir string `json:"dir"`
	// TrainPerClass caps its training images per class.
	TrainPerClass int `json:"train_per_class"`
	// TrainN and TestN count its training and held-out images.
	TrainN int `json:"train_n"`
	TestN  int `json:"test_n"`
	// Accuracy is the fraction of held-out images classified correctly.
	Accuracy float64 `json:"heldout_accuracy"`
	// Config is its training configuration.
	Config metrics.TrainConfig `json:"config"`
}

// Files of a feature classifier's directory; the description is written
// last, so its presence marks a finished classifier.
const (
	classifierWeights = "classifier.npz"
	classifierInfo    = "classifier.json"
)

// classifierSeed seeds the classifier's initialisation, batch order and the
// dequantisation noise of its images.
const classifierSeed = 1

// classifierPlan is the classifier a study's settings call for: its
// source, directory under the output directory, image counts per class
// (test: a cap) and training configuration. The quick settings train a
// much smaller one, kept apart.
func classifierPlan(st *Study, s Settings) (ClassifierInfo, int, int, error) {
	src := st.classifier
	if src == "" {
		return ClassifierInfo{}, 0, 0, fmt.Errorf("study %s has no feature classifier", st.Name)
	}
	info := ClassifierInfo{Source: src, Dir: "classifier-" + src, Config: metrics.DefaultTrainConfig}
	// Every training image of the source (6,000 per class), the widths of
	// metrics.DefaultTrainConfig, batches of 32 at a rate of 2e-3: on a
	// shared 2-core Zen 4 machine 4 epochs on MNIST took 77 s of CPU and
	// reached a held-out accuracy of 0.973 (0.95 is needed for its
	// features to mean something), and FashionMNIST needs more epochs for
	// its 0.85. The quick settings train a much smaller one on fewer
	// images in seconds, kept apart.
	info.Config.Seed, info.Config.Batch, info.Config.LR = classifierSeed, 32, 2e-3
	info.Config.Epochs = map[string]int{"mnist": 4, "fashion-mnist-full": 6}[src]
	perClass, testPerClass := 6000, 1000
	if s.Quick {
		info.Dir += "-quick"
		info.Config.C1, info.Config.C2, info.Config.F = 8, 16, 32
		info.Config.Epochs, info.Config.Batch = 2, 4
		perClass, testPerClass = 100, 50
	}
	info.TrainPerClass = perClass
	return info, perClass, testPerClass, nil
}

// dequantised returns x + u with u ~ U[0, 1) per value: 8-bit pixel values
// spread over their bins, as the flows are trained on and sample.
func dequantised(x []float64, rng *rand.Rand) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v + rng.Float64()
	}
	return out
}

// featureClassifier returns the study's feature classifier from its
// directory under out, training and saving it there first if it is not
// yet present. It holds the directory's lock throughout, so that of the
// processes that need it at once one trains it and the others wait.
func featureClassifier(ctx context.Context, st *Study, s Settings, out, dataDir string, progress io.Writer) (*metrics.Classifier, *ClassifierInfo, error) {
	want, perClass, testPerClass, err := classifierPlan(st, s)
	if err != nil {
		return nil, nil, err
	}
	dir := filepath.Join(out, want.Dir)
	lock, err := waitLock(ctx, dir, progress)
	if err != nil {
		return nil, nil, fmt.Errorf("feature classifier: %w", err)
	}
	defer lock.Release()
	infoPath := filepath.Join(dir, classifierInfo)
	var have ClassifierInfo
	switch err := readJSON(infoPath, &have); {
	case err == nil:
		if have.Source != want.Source || have.TrainPerClass != want.TrainPerClass || have.Config != want.Config {
			return nil, nil, fmt.Errorf("feature classifier %s was trained on %d %s images per class with %+v, want %d with %+v; remove it or use another --out",
				dir, have.TrainPerClass, have.Source, have.Config, want.TrainPerClass, want.Config)
		}
		c, err := metrics.LoadClassifier(filepath.Join(dir, classifierWeights))
		if err != nil {
			return nil, nil, err
		}
		return c, &have, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, nil, fmt.Errorf("feature classifier: %w", err)
	}
	set, err := data.Load(want.Source, data.Options{Dir: dataDir, PerClass: perClass, TestPerClass: testPerClass})
	if err != nil {
		return nil, nil, fmt.Errorf("feature classifier: %w", err)
	}
	fmt.Fprintf(progress, "  training the feature classifier on %d %s images (%s)\n", set.Train.N, want.Source, dir)
	rng := rand.New(rand.NewPCG(classifierSeed, streams.StudyClassifier))
	c, err := metrics.TrainClassifier(ctx, dequantised(set.Train.X, rng), set.Train.Labels, want.Config, indent{progress})
	if err != nil {
		return nil, nil, fmt.Errorf("feature classifier: %w", err)
	}
	acc, err := c.Accuracy(dequantised(set.Test.X, rng), set.Test.Labels)
	if err != nil {
		return nil, nil, fmt.Errorf("feature classifier: held-out accuracy: %w", err)
	}
	want.TrainN, want.TestN, want.Accuracy = set.Train.N, set.Test.N, acc
	fmt.Fprintf(progress, "  feature classifier: held-out accuracy %.4f on %d images\n", acc, set.Test.N)
	if err := c.Save(filepath.Join(dir, classifierWeights)); err != nil {
		return nil, nil, err
	}
	if err := writeJSON(infoPath, want); err != nil {
		return nil, nil, fmt.Errorf("feature classifier: %w", err)
	}
	return c, &want, nil
}

// indent prefixes each write with two spaces, to nest progress lines.
type indent struct{ w io.Writer }

func (i indent) Write(b []byte) (int, error) {
	if _, err := io.WriteString(i.w, "  "); err != nil {
		return 0, err
	}
	return i.w.Write(b)
}
