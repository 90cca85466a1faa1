package recipe

import (
	"errors"
	"fmt"

	"github.com/mmcnf/mmcnf/internal/strictjson"
)

// maxRunBytes bounds run.json: a few dozen settings.
const maxRunBytes = 1 << 20

// decodeOptions decodes the options of a run as run.json and checkpoints
// hold them. Decoding is strict: a setting this version does not know
// would silently drop out of a resumed run, and data after the object
// means a damaged file. Negative counts are refused here, named as the
// file spells them rather than as flags the user never gave, and so are
// lists left out: the text form of a list is never empty, so every run
// writes both, and options without one could not be written back.
func decodeOptions(b []byte, o *Options) error {
	if err := strictjson.Unmarshal(b, o); err != nil {
		return err
	}
	for _, s := range []struct {
		name string
		v    int
	}{
		{"dataset n_train", o.Data.PerClass}, {"dataset n_test", o.Data.TestPerClass},
		{"hidden", o.Hidden}, {"width", o.Width}, {"blocks", o.Blocks}, {"steps", o.Steps},
		{"eval_batch", o.EvalBatch}, {"heldout_max", o.HeldoutMax}, {"threads", o.Threads},
		{"train iters", o.Train.Iters}, {"train batch", o.Train.Batch},
		{"train eval_every", o.Train.EvalEvery}, {"train checkpoint_every", o.Train.CheckpointEvery},
		{"train adam warmup", o.Train.Adam.Warmup}, {"train adam anneal", o.Train.Adam.Anneal},
	} {
		if s.v < 0 {
			return fmt.Errorf("%s = %d is negative", s.name, s.v)
		}
	}
	switch {
	case o.Data.Classes == nil:
		return errors.New("dataset classes is missing")
	case o.Dims == nil:
		return errors.New("dims is missing")
	}
	return nil
}
