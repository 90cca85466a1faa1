package train

import (
	"os"
	"testing"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// TestMain turns fsync off for the loop tests: they check what a crash of
// the process can do, against which the atomic renames alone protect, and
// fsync on a busy shared disk can take seconds. TestCheckpointRoundTrip
// turns it back on to run the synced path.
func TestMain(m *testing.M) {
	atomicfile.SetSync(false)
	os.Exit(m.Run())
}
