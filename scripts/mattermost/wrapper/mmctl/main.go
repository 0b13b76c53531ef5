// Command mmctl is Mattermost's admin CLI, used with --local to bootstrap the
// test server.
package main

import (
	"os"

	"github.com/mattermost/mattermost/server/v8/cmd/mmctl/commands"
)

func main() {
	if err := commands.Run(os.Args[1:]); err != nil {
		os.Exit(1)
	}
}
