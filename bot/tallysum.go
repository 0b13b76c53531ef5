package bot

import "math"

// NumWaitBuckets is the number of duration buckets a TallySum keeps.
const NumWaitBuckets = 12

// WaitBounds are the upper bounds, in seconds, of the duration buckets
// (claim wait, time to close): 1 min, 5 min, 15 min, 30 min, 1 h, 2 h,
// 4 h, 8 h, 1 day, 2 days, 7 days, and more.
//
// Why buckets rather than the durations: a counter must hold nothing
// that points back to one conversation, and must add up (two months, two
// queues, two replicas); a list of durations does neither, a sum and a
// count give the mean, and fixed buckets give a median estimate within
// the bucket's width, which is as precise as a funder's report needs
// (« half the people waited less than about 20 minutes »). The bounds
// are fixed once: changing them would mix two scales in one table.
func WaitBounds() [NumWaitBuckets]float64 {
	return [NumWaitBuckets]float64{60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800, math.Inf(1)}
}

// WaitBucket is the index of the bucket a duration falls in: the first
// whose upper bound is at least seconds.
func WaitBucket(seconds float64) int {
	b := WaitBounds()
	for i, le := range b {
		if seconds <= le {
			return i
		}
	}
	return NumWaitBuckets - 1
}

// TallySum is the tallies of one calendar month (UTC) that share every
// bounded field: what the report's counters keep.
type TallySum struct {
	// Month is "2026-12".
	Month string
	// Key holds the shared fields; its At and Seconds are zero.
	Key Tally
	// N is the number of tallies.
	N int64
	// Seconds is the sum of their durations, SecondsMax the longest.
	Seconds    float64
	SecondsMax float64
	// Waits counts the durations by bucket (WaitBounds), for the kinds
	// that have one (TallyClaimed, TallyClosed).
	Waits [NumWaitBuckets]int64
}

// HasDuration says whether tallies of kind k carry a duration.
func HasDuration(k TallyKind) bool {
	return k == TallyClaimed || k == TallyClosed
}
