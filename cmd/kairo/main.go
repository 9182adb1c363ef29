// Command kairo is the kairo toolchain's single binary.
package main

import (
	"os"

	"github.com/kairo-dev/kairo/cli"
	"github.com/kairo-dev/kairo/cli/cmdutil"
)

func main() {
	os.Exit(cli.Execute(cmdutil.System(), os.Args[1:]))
}
