// Package delivery moves messages between the platforms and the engine:
// the Runner takes what adapters receive and puts each conversation's
// messages in order (the one place they are ordered), and the Dispatcher
// sends what turns queued in the outbox, per platform, leased so that
// several processes never send one message twice, retried with backoff
// while a platform is down. It knows the engine only as a Responder.
package delivery
