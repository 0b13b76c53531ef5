package bot

import "regexp"

// DefuseMentions breaks every @ that starts a mention (@everyone, @here,
// @channel, @someone) with an invisible zero-width space, so that no text
// the bot posts can ping anyone, while e-mail addresses stay whole (their
// @ follows a letter or digit). The core applies it to what one person
// wrote for another (a relay); an adapter whose platform has no way to
// switch mentions off (Mattermost) applies it to every post.
func DefuseMentions(s string) string { return mentionAt.ReplaceAllString(s, "$1@\u200b$2") }

// mentionAt is an @ at a word's start followed by a name character.
var mentionAt = regexp.MustCompile(`(^|[^\pL\pN_])@([\pL\pN_.-])`)
