// Command cmd writes the benchmark Parquet files:
//
//	cd bench && go run ./gen/cmd -rows 1000000 -dir /tmp/kqlbench
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/kqlhunt/kqlhunt/bench/gen"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "event rows")
	dir := flag.String("dir", "/tmp/kqlbench", "output directory (never the repository)")
	flag.Parse()
	ev, id, err := gen.Ensure(*dir, *rows)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ev)
	fmt.Println(id)
}
