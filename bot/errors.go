package bot

import "errors"

// ErrNoConversation is returned by a store when nothing is stored for a
// conversation's address.
var ErrNoConversation = errors.New("no conversation")
