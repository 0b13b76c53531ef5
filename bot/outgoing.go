package bot

import (
	"errors"
	"strconv"
	"time"
)

// ErrUndeliverable is returned (wrapped) by an adapter's Send when the
// platform refused a message for good (unknown channel, user who blocked
// the bot): the dispatcher stops retrying it.
var ErrUndeliverable = errors.New("undeliverable")

// Outgoing is a queued message.
type Outgoing struct {
	ID        int64
	Reply     Reply // Reply.Key is set: pass it to platforms that dedupe
	Attempts  int
	NextAt    time.Time
	CreatedAt time.Time
}

// OutboxKey is the idempotency key of outbox message id.
func OutboxKey(id int64) string { return "bsl-" + strconv.FormatInt(id, 10) }
