package delivery

import "time"

// Meter counts what the runner and the dispatcher do, per platform (the
// process's metrics). Its methods must be quick and must not block: they
// run on the message path. Platform is an adapter's name, never an id.
type Meter interface {
	// Received is a message handed to the runner.
	Received(platform string)
	// Turned is a turn handled, d from its start to its replies sent.
	Turned(platform string, d time.Duration)
	// Sent is a message the platform accepted.
	Sent(platform string)
	// Failed is a send the platform failed or refused.
	Failed(platform string)
	// Retried is a send attempt of a message that failed before.
	Retried(platform string)
}

// noMeter counts nothing: the default.
type noMeter struct{}

func (noMeter) Received(string)              {}
func (noMeter) Turned(string, time.Duration) {}
func (noMeter) Sent(string)                  {}
func (noMeter) Failed(string)                {}
func (noMeter) Retried(string)               {}

// SetMeter has d count its sends, failures and retries in m (nil: none).
// Call it before Run.
func (d *Dispatcher) SetMeter(m Meter) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if m == nil {
		m = noMeter{}
	}
	d.meter = m
}

// meterOf returns d's meter.
func (d *Dispatcher) meterOf() Meter {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.meter == nil {
		return noMeter{}
	}
	return d.meter
}

// SetMeter has r count the messages it receives and time its turns in m
// (nil: none), with the clock now (the program's one clock). Call it
// before the first message.
func (r *Runner) SetMeter(m Meter, now func() time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m == nil || now == nil {
		r.meter, r.now = nil, nil
		return
	}
	r.meter, r.now = m, now
}

// metered returns r's meter and clock, nil when none is set.
func (r *Runner) metered() (Meter, func() time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.meter, r.now
}
