package main

import (
	"encoding"
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/mmcnf/mmcnf/cnf/recipe"
)

// cmdFlags is the FlagSet of one command with the text its -h prints.
type cmdFlags struct {
	*flag.FlagSet
	usage string // e.g. "mmcnf train --data NAME --out DIR [flags]"
	about string // one paragraph saying what the command does
}

// newFlags makes the FlagSet for a command; parse reports errors itself.
func newFlags(name, usage, about string) *cmdFlags {
	fs := flag.NewFlagSet("mmcnf "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &cmdFlags{FlagSet: fs, usage: usage, about: about}
}

// printUsage writes the usage line, the description and every flag with its
// default value.
func (f *cmdFlags) printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n\nflags:\n", f.usage, f.about)
	f.VisitAll(func(fl *flag.Flag) {
		name, help := flag.UnquoteUsage(fl)
		dash := "--"
		if len(fl.Name) == 1 {
			dash = "-"
		}
		head := "  " + dash + fl.Name
		if name != "" {
			head += " " + name
		}
		def := fl.DefValue
		if def == "" {
			def = "none"
		} else if isStringFlag(fl) {
			def = strconv.Quote(def)
		}
		help = strings.ReplaceAll(help, "\n", "\n    \t")
		if strings.Contains(help, "(default") { // the text states its own default
			fmt.Fprintf(w, "%s\n    \t%s\n", head, help)
			return
		}
		fmt.Fprintf(w, "%s\n    \t%s (default %s)\n", head, help, def)
	})
}

// isStringFlag reports whether fl holds a string or a value written as
// text, whose default is quoted.
func isStringFlag(fl *flag.Flag) bool {
	g, ok := fl.Value.(flag.Getter)
	if !ok {
		return false
	}
	if _, text := g.Get().(encoding.TextMarshaler); text {
		return true
	}
	return reflect.TypeOf(g.Get()).Kind() == reflect.String
}

// parse parses args. It returns done = true when -h was asked for (the usage
// is then printed on stdout) and a usage error for unknown flags, malformed
// values and stray arguments.
func (f *cmdFlags) parse(args []string, stdout io.Writer) (done bool, err error) {
	if done, err := f.parseFlags(args, stdout); done || err != nil {
		return done, err
	}
	if f.NArg() > 0 {
		return false, usageErrorf("%s: unexpected argument %q (see %s -h)", f.Name(), f.Arg(0), f.Name())
	}
	return false, nil
}

// parseFlags parses the flags in args, as parse does, leaving the
// arguments after them in f.Args().
func (f *cmdFlags) parseFlags(args []string, stdout io.Writer) (done bool, err error) {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			f.printUsage(stdout)
			return true, nil
		}
		return false, usageErrorf("%s: %v (see %s -h)", f.Name(), err, f.Name())
	}
	return false, nil
}

// parseCommand parses args that name one of the choices (a study, say)
// as their first argument or after the flags, as parse does; a missing name
// is a usage error listing the choices.
func (f *cmdFlags) parseCommand(args []string, stdout io.Writer, what string, choices []string) (name string, done bool, err error) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if done, err := f.parseFlags(args, stdout); done || err != nil {
		return "", done, err
	}
	rest := f.Args()
	if name == "" && len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return "", false, f.errorf("unexpected argument %q (see %s -h)", rest[0], f.Name())
	}
	if name == "" {
		return "", false, f.errorf("which %s? one of %s (see %s -h)", what, strings.Join(choices, ", "), f.Name())
	}
	return name, false, nil
}

// set reports whether the flag name was given on the command line.
func (f *cmdFlags) set(name string) bool {
	found := false
	f.Visit(func(fl *flag.Flag) {
		if fl.Name == name {
			found = true
		}
	})
	return found
}

// errorf formats a usage error prefixed with the command's name.
func (f *cmdFlags) errorf(format string, a ...any) error {
	return usageErrorf("%s: %s", f.Name(), fmt.Sprintf(format, a...))
}

// positiveInt checks that the flag name holds a value > 0.
func (f *cmdFlags) positiveInt(name string, v int) error {
	if v <= 0 {
		return f.errorf("--%s must be positive, got %d", name, v)
	}
	return nil
}

// nonNegativeInt checks that the flag name holds a value >= 0.
func (f *cmdFlags) nonNegativeInt(name string, v int) error {
	if v < 0 {
		return f.errorf("--%s must not be negative, got %d", name, v)
	}
	return nil
}

// threads checks a --threads flag: 0 (all cores) up to
// recipe.MaxThreads.
func (f *cmdFlags) threads(v int) error {
	if err := f.nonNegativeInt("threads", v); err != nil {
		return err
	}
	if v > recipe.MaxThreads {
		return f.errorf("--threads must be at most %d, got %d", recipe.MaxThreads, v)
	}
	return nil
}

// oneOf checks that the flag name holds one of the allowed values.
func (f *cmdFlags) oneOf(name, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return f.errorf("--%s must be one of %s, got %q", name, strings.Join(allowed, ", "), v)
}
