package bot

import (
	"net/url"
	"regexp"
	"strings"
)

// PlainLinks writes the markdown links of the bot's own messages,
// [label](url), as « label — url »: for a display that shows text as
// typed (a terminal), where the address must stay whole to be usable. A
// link labelled with its own site (« service-public.fr ») shows the
// address alone, which says the site already. Chats that read markdown
// (Discord, Mattermost) get the links as they are and show the label.
func PlainLinks(s string) string {
	return mdLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := mdLink.FindStringSubmatch(m)
		label, addr := sub[1], sub[2]
		if u, err := url.Parse(addr); label == addr || err == nil && label == strings.TrimPrefix(u.Host, "www.") {
			return addr
		}
		return label + " — " + addr
	})
}

// mdLink is a link as the bot writes one (bot/answer): no « ] » in the
// label, no parenthesis or space in the address.
var mdLink = regexp.MustCompile(`\[([^\]\n]*)\]\(([^()\s]+)\)`)
