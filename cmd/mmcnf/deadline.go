package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// runContext is the context of a training command: cancelled by SIGINT or
// SIGTERM, and with maxTime > 0 given a deadline that far from now, which
// training stops before at a checkpoint.
func runContext(maxTime time.Duration) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if maxTime <= 0 {
		return ctx, stop
	}
	ctx, cancel := context.WithTimeout(ctx, maxTime)
	return ctx, func() { cancel(); stop() }
}

// maxTimeUsage is the help text of --max-time.
const maxTimeUsage = "stop at the last checkpoint before this much time (e.g. 3h50m) has passed, with exit status 75; the same command continues the run (0: no limit)"
