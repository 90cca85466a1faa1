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
