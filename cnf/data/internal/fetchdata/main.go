// Command fetchdata downloads, converts and verifies MNIST and FashionMNIST
// into the data directory (the -dir flag, else $MMCNF_DATA_DIR, else the
// user's cache directory); `mmcnf data fetch` does the same.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/mmcnf/mmcnf/cnf/data"
)

func main() {
	dir := flag.String("dir", "", "data directory (default $"+data.EnvDataDir+" or the user cache directory)")
	flag.Parse()
	if *dir == "" {
		d, err := data.DefaultDir()
		if err != nil {
			fmt.Fprintln(os.Stderr, "fetchdata:", err)
			os.Exit(1)
		}
		*dir = d
	}
	if err := data.Fetch(*dir, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fetchdata:", err)
		os.Exit(1)
	}
}
