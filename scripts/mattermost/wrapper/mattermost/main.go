// Command mattermost starts a Mattermost server, as the server's own
// cmd/mattermost does.
package main

import (
	"os"

	"github.com/mattermost/mattermost/server/v8/cmd/mattermost/commands"

	// Slash commands of the app layer (/join, /echo, ...) register themselves.
	_ "github.com/mattermost/mattermost/server/v8/channels/app/slashcommands"
)

func main() {
	if err := commands.Run(os.Args[1:]); err != nil {
		os.Exit(1)
	}
}
