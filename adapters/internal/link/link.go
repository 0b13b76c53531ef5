// Package link keeps whether an adapter is connected to its platform now,
// for the readiness check, and tells a watcher (the metrics) each time
// the connection comes up or goes down.
package link

import "sync"

// Link is one adapter's connection state. The zero value is down and
// tells nobody. It is safe for concurrent use.
type Link struct {
	platform string
	watch    func(platform string, up bool)

	mu sync.Mutex
	up bool
}

// New returns a link for platform that tells watch (nil: nobody) of each
// change.
func New(platform string, watch func(platform string, up bool)) *Link {
	return &Link{platform: platform, watch: watch}
}

// Set records the connection up or down; the watcher hears changes only,
// in order.
func (l *Link) Set(up bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.up == up {
		return
	}
	l.up = up
	if l.watch != nil {
		l.watch(l.platform, up)
	}
}

// Up reports whether the connection is up now.
func (l *Link) Up() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.up
}
