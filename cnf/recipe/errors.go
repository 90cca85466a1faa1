package recipe

import "fmt"

// SettingError reports a setting that cannot work, named as the command
// line spells it (e.g. "iters" for --iters), and what is wrong with it.
type SettingError struct {
	Setting string
	Problem string
}

// Error returns the setting's name followed by the problem, e.g. "iters
// must be positive, got 0".
func (e *SettingError) Error() string { return e.Setting + " " + e.Problem }

// settingErrorf formats a SettingError.
func settingErrorf(setting, format string, a ...any) error {
	return &SettingError{Setting: setting, Problem: fmt.Sprintf(format, a...)}
}

// InputError reports input that cannot work: a dataset that does not load,
// a model directory or checkpoint that does not fit the options. Nothing
// was written when it is returned.
type InputError struct{ Err error }

// Error returns the underlying error's message.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// inputErrorf formats an InputError.
func inputErrorf(format string, a ...any) error {
	return &InputError{Err: fmt.Errorf(format, a...)}
}

// settingKeys maps the settings whose name in run.json (and in a
// checkpoint's copy of it) is not the command line's to that name, the
// levels of nesting separated by spaces.
var settingKeys = map[string]string{
	"data": "dataset data", "classes": "dataset classes", "n-train": "dataset n_train", "n-test": "dataset n_test",
	"data-seed": "dataset data_seed", "data-dir": "dataset data_dir",
	"base-mean": "base_mean", "learn-base": "learn_base", "weight-norm": "weight_norm",
	"eval-batch": "eval_batch", "heldout-max": "heldout_max",
	"iters": "train iters", "batch": "train batch", "clip": "train clip_norm", "seed": "train seed",
	"eval-every": "train eval_every", "checkpoint-every": "train checkpoint_every",
	"lr": "train adam lr", "beta1": "train adam beta1", "beta2": "train adam beta2", "adam-eps": "train adam eps",
	"warmup": "train adam warmup", "weight-decay": "train adam weight_decay", "decay": "train adam decay_mode",
}

// InFile returns the error as a file of settings states it, naming the
// setting as run.json spells it, e.g. "train batch must be positive, got
// 0" for the command line's "batch must be positive, got 0".
func (e *SettingError) InFile() string {
	key, ok := settingKeys[e.Setting]
	if !ok {
		key = e.Setting
	}
	return key + " " + e.Problem
}
