// Command ringvault stores measurements compactly, safely and fast, in the
// file formats existing tools use: Whisper, PING logs, Bloscpack and Vault.
//
// Invoked through a link named like a peer tool (whisper-fetch, blpk, ...)
// it behaves as that tool. All the work is in package internal/cli.
package main

import (
	"os"

	"ringvault/internal/cli"
)

func main() {
	os.Exit(cli.Main(cli.OSEnv(), os.Args))
}
