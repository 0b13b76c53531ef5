package mediation

import (
	"regexp"

	"github.com/boussole/boussole/bot"
)

// Defuse makes text a person wrote safe to show to someone else: an @
// starting a mention is broken (nobody can make the bot ping @everyone or
// a user) while e-mail addresses stay whole, and a markdown link shows
// its real address (« [impots.gouv.fr](http://ailleurs.example) » reads
// « impots.gouv.fr (http://ailleurs.example) »).
func Defuse(s string) string {
	s = mdLink.ReplaceAllString(s, "$1 ($2)")
	return bot.DefuseMentions(s)
}

// mdLink is a markdown link, [label](address "title").
var mdLink = regexp.MustCompile(`\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
