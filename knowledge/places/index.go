package places

import (
	"cmp"
	"math"
	"slices"

	"github.com/boussole/boussole/knowledge"
)

// EarthKm is the mean radius of the Earth (IUGG), in kilometres: the
// sphere on which Index measures great-circle distances.
const EarthKm = 6371.0088

// leafSize is the most places a leaf of the tree holds: small enough that
// a leaf's box says a lot about where its places are, large enough that
// the tree stays a few thousand nodes for a national set.
const leafSize = 8

// tieChord is how far, as a chord of the unit sphere (about 6 µm on
// Earth), a box or a place may lie beyond the k-th distance found and
// still be looked at: chords from unit vectors and the haversine round
// differently, and a place at exactly the k-th distance with a smaller ID
// must still be found.
const tieChord = 1e-12

// Near is a place found by Nearest, with its great-circle distance from
// the point asked about.
type Near struct {
	Place *knowledge.Place
	Km    float64
}

// Index finds the places nearest a point among those that offer a service
// or carry a label. It is immutable once built and safe for concurrent
// use.
//
// It is a k-d tree over the places' positions as unit vectors in three
// dimensions, where straight-line (chord) distance grows with the
// great-circle distance: boxes bound distances exactly whether places are
// in Marseille, Montréal or Saint-Denis de La Réunion, with no special
// case for longitude near the poles. Each node also records which
// service × label pairs its places offer, so that a search for a rare
// label skips whole regions that have none instead of scanning them.
type Index struct {
	pts   []point
	nodes []node
	// masks holds the pair masks of points (first len(pts)*words words)
	// then of nodes, words words each.
	masks []uint64
	words int
	codes codeBits
	// centres are the postal codes' centres (centre.go).
	centres map[string][2]float64
}

// point is one place, with what the search computes from.
type point struct {
	x, y, z float64 // unit vector
	// lat, lon are in radians; cosLat is cached for the haversine.
	lat, lon, cosLat float64
	p                *knowledge.Place
}

// node is a box of the tree holding pts[lo:hi]. A leaf has no children
// (left < 0).
type node struct {
	lo, hi      int32
	left, right int32
	min, max    [3]float64
}

// codeBits numbers service and label codes for the pair masks. Codes not
// in knowledge.Services or knowledge.Labels share an "other" number (the
// mask then only says « maybe », and Filter.Match decides); "any" is the
// number of an empty side of a filter, which every place has.
type codeBits struct {
	service, label           map[string]int
	nServices, nLabels       int // including other and any
	otherService, anyService int
	otherLabel, anyLabel     int
}

func newCodeBits() codeBits {
	c := codeBits{service: map[string]int{}, label: map[string]int{}}
	for i, s := range knowledge.Services {
		c.service[s] = i
	}
	for i, l := range knowledge.Labels {
		c.label[l] = i
	}
	c.otherService, c.anyService = len(knowledge.Services), len(knowledge.Services)+1
	c.otherLabel, c.anyLabel = len(knowledge.Labels), len(knowledge.Labels)+1
	c.nServices, c.nLabels = len(knowledge.Services)+2, len(knowledge.Labels)+2
	return c
}

func (c *codeBits) serviceBit(s string) int {
	if i, ok := c.service[s]; ok {
		return i
	}
	return c.otherService
}

func (c *codeBits) labelBit(l string) int {
	if i, ok := c.label[l]; ok {
		return i
	}
	return c.otherLabel
}

// set marks in m every pair of services × labels, an empty side standing
// for « any ». A place's mask and a filter's mask share a bit when the
// place may match the filter.
func (c *codeBits) set(m []uint64, services, labels []string, addAny bool) {
	ss := make([]int, 0, len(services)+1)
	for _, s := range services {
		ss = append(ss, c.serviceBit(s))
	}
	ls := make([]int, 0, len(labels)+1)
	for _, l := range labels {
		ls = append(ls, c.labelBit(l))
	}
	// A place matches a filter that does not ask for a service whatever
	// it offers: it has the « any » service; likewise for labels.
	if addAny || len(ss) == 0 {
		ss = append(ss, c.anyService)
	}
	if addAny || len(ls) == 0 {
		ls = append(ls, c.anyLabel)
	}
	for _, s := range ss {
		for _, l := range ls {
			b := s*c.nLabels + l
			m[b/64] |= 1 << (b % 64)
		}
	}
}

// NewIndex indexes the places that have coordinates: a place at 0, 0 (no
// coordinates), with a latitude beyond ±90° or a longitude beyond ±180°,
// or nil, is left out. The places are not copied: they must not change
// while the index is used.
func NewIndex(ps []*knowledge.Place) *Index {
	x := &Index{codes: newCodeBits()}
	x.words = (x.codes.nServices*x.codes.nLabels + 63) / 64
	for _, p := range ps {
		if p == nil || (p.Lat == 0 && p.Lon == 0) || !(math.Abs(p.Lat) <= 90) || !(math.Abs(p.Lon) <= 180) {
			continue
		}
		lat, lon := p.Lat*math.Pi/180, p.Lon*math.Pi/180
		cl := math.Cos(lat)
		x.pts = append(x.pts, point{
			x: cl * math.Cos(lon), y: cl * math.Sin(lon), z: math.Sin(lat),
			lat: lat, lon: lon, cosLat: cl, p: p,
		})
	}
	if len(x.pts) == 0 {
		return x
	}
	x.centres = postalCentres(x.pts)
	x.nodes = make([]node, 0, 2*len(x.pts)/leafSize+1)
	x.build(0, len(x.pts))
	// Masks are computed once the points are in their final order.
	x.masks = make([]uint64, (len(x.pts)+len(x.nodes))*x.words)
	for i := range x.pts {
		x.codes.set(x.pointMask(i), x.pts[i].p.Services, x.pts[i].p.Labels, true)
	}
	for j := len(x.nodes) - 1; j >= 0; j-- { // children come after parents
		n, m := &x.nodes[j], x.nodeMask(j)
		if n.left < 0 {
			for i := n.lo; i < n.hi; i++ {
				or(m, x.pointMask(int(i)))
			}
			continue
		}
		or(m, x.nodeMask(int(n.left)))
		or(m, x.nodeMask(int(n.right)))
	}
	return x
}

func (x *Index) pointMask(i int) []uint64 { return x.masks[i*x.words : (i+1)*x.words] }

func (x *Index) nodeMask(j int) []uint64 {
	o := (len(x.pts) + j) * x.words
	return x.masks[o : o+x.words]
}

func or(dst, src []uint64) {
	for i := range dst {
		dst[i] |= src[i]
	}
}

func meets(a, b []uint64) bool {
	for i := range a {
		if a[i]&b[i] != 0 {
			return true
		}
	}
	return false
}

// build makes the node of pts[lo:hi] and its subtree, and returns its
// number.
func (x *Index) build(lo, hi int) int32 {
	j := int32(len(x.nodes))
	n := node{lo: int32(lo), hi: int32(hi), left: -1, right: -1}
	n.min = [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	n.max = [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, p := range x.pts[lo:hi] {
		for d, v := range [3]float64{p.x, p.y, p.z} {
			n.min[d], n.max[d] = min(n.min[d], v), max(n.max[d], v)
		}
	}
	x.nodes = append(x.nodes, n)
	if hi-lo <= leafSize {
		return j
	}
	// Split the widest side at the median.
	dim := 0
	for d := 1; d < 3; d++ {
		if n.max[d]-n.min[d] > n.max[dim]-n.min[dim] {
			dim = d
		}
	}
	mid := (lo + hi) / 2
	selectNth(x.pts[lo:hi], mid-lo, dim)
	left := x.build(lo, mid)
	right := x.build(mid, hi)
	x.nodes[j].left, x.nodes[j].right = left, right
	return j
}

func coord(p *point, dim int) float64 {
	switch dim {
	case 0:
		return p.x
	case 1:
		return p.y
	}
	return p.z
}

// selectNth reorders pts so that pts[n] is the point that would be there if
// pts were sorted on dim, with no greater point before it and no smaller
// one after (quickselect, median-of-three pivots).
func selectNth(pts []point, n, dim int) {
	lo, hi := 0, len(pts)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// Order lo, mid, hi so that the pivot is their median.
		if coord(&pts[mid], dim) < coord(&pts[lo], dim) {
			pts[mid], pts[lo] = pts[lo], pts[mid]
		}
		if coord(&pts[hi], dim) < coord(&pts[lo], dim) {
			pts[hi], pts[lo] = pts[lo], pts[hi]
		}
		if coord(&pts[hi], dim) < coord(&pts[mid], dim) {
			pts[hi], pts[mid] = pts[mid], pts[hi]
		}
		pivot := coord(&pts[mid], dim)
		i, j := lo, hi
		for i <= j {
			for coord(&pts[i], dim) < pivot {
				i++
			}
			for coord(&pts[j], dim) > pivot {
				j--
			}
			if i <= j {
				pts[i], pts[j] = pts[j], pts[i]
				i++
				j--
			}
		}
		switch {
		case n <= j:
			hi = j
		case n >= i:
			lo = i
		default:
			return
		}
	}
}

// Len returns the number of places indexed (those with coordinates).
func (x *Index) Len() int {
	if x == nil {
		return 0
	}
	return len(x.pts)
}

// Nearest returns the places nearest lat, lon (WGS84 degrees) that match
// f, nearest first, leaving out the skip nearest ones and returning at
// most k: Nearest(…, 0, 3) then Nearest(…, 3, 3) page through them three
// at a time (« three more »). Distances are great-circle (haversine, on a
// sphere of radius EarthKm); places at the same distance come in the
// order of their IDs, so that pages neither repeat nor miss a place. It
// returns fewer than k places, or none, when fewer match.
func (x *Index) Nearest(lat, lon float64, f knowledge.Filter, skip, k int) []Near {
	skip = max(skip, 0)
	if k <= 0 || skip >= x.Len() || !(math.Abs(lat) <= 90) || math.IsNaN(lon) || math.IsInf(lon, 0) {
		return nil
	}
	k = min(k, x.Len()-skip) // no overflow, and no larger buffers than places
	need := skip + k
	want := make([]uint64, x.words)
	x.codes.set(want, f.Services, f.Labels, false)
	if !meets(want, x.nodeMask(0)) {
		return nil
	}
	phi, lambda := lat*math.Pi/180, lon*math.Pi/180
	cp := math.Cos(phi)
	q := [3]float64{cp * math.Cos(lambda), cp * math.Sin(lambda), math.Sin(phi)}

	// best is a max-heap of the need best places so far: its top is the
	// one a better place would push out.
	best := heap[candidate]{less: func(a, b candidate) bool { return a.compare(b) > 0 }}
	best.s = make([]candidate, 0, min(need, len(x.pts)))
	// worst is the chord of the need-th place candidate, once need are:
	// chords grow with distances, and cost no arc sine to compare.
	worst := math.Inf(1)
	// todo is a min-heap of boxes by the least distance a place in them
	// can be at: the search stops when no box can hold a nearer place.
	todo := heap[box]{less: func(a, b box) bool { return a.chord < b.chord }}
	todo.s = make([]box, 0, 32)
	todo.push(box{0, 0})
	for len(todo.s) > 0 {
		b := todo.pop()
		if b.chord > worst+tieChord {
			break
		}
		n := &x.nodes[b.node]
		if n.left >= 0 {
			for _, c := range [2]int32{n.left, n.right} {
				if !meets(want, x.nodeMask(int(c))) {
					continue
				}
				if ch := x.nodes[c].lowerChord(q); ch <= worst+tieChord {
					todo.push(box{ch, c})
				}
			}
			continue
		}
		for i := n.lo; i < n.hi; i++ {
			if !meets(want, x.pointMask(int(i))) {
				continue
			}
			pt := &x.pts[i]
			if pt.chord(q) > worst+tieChord || !f.Match(pt.p) {
				continue
			}
			c := candidate{km: haversine(phi, lambda, cp, pt), i: i, p: pt.p}
			switch {
			case len(best.s) < need:
				best.push(c)
			case c.compare(best.s[0]) < 0:
				best.s[0] = c
				best.fix()
			default:
				continue
			}
			if len(best.s) == need {
				worst = 2 * math.Sin(best.s[0].km/(2*EarthKm))
			}
		}
	}
	if len(best.s) <= skip {
		return nil
	}
	slices.SortFunc(best.s, candidate.compare)
	out := make([]Near, 0, len(best.s)-skip)
	for _, c := range best.s[skip:] {
		out = append(out, Near{Place: c.p, Km: c.km})
	}
	return out
}

// candidate is a candidate place of a search.
type candidate struct {
	km float64
	i  int32
	p  *knowledge.Place
}

// compare orders candidates: nearer first, then by ID, then by position
// in the index (two places with the same ID at the same distance).
func (a candidate) compare(b candidate) int {
	return cmp.Or(cmp.Compare(a.km, b.km), cmp.Compare(a.p.ID, b.p.ID), cmp.Compare(a.i, b.i))
}

// box is a node to search, with the least chord from the query to its
// places.
type box struct {
	chord float64
	node  int32
}

// lowerChord is the least chord from unit vector q to a point inside n's
// box: the distance to the box's nearest point.
func (n *node) lowerChord(q [3]float64) float64 {
	var s float64
	for d := range 3 {
		var v float64
		switch {
		case q[d] < n.min[d]:
			v = n.min[d] - q[d]
		case q[d] > n.max[d]:
			v = q[d] - n.max[d]
		}
		s += v * v
	}
	return math.Sqrt(s)
}

// chord is the straight-line distance from unit vector q to pt.
func (pt *point) chord(q [3]float64) float64 {
	dx, dy, dz := pt.x-q[0], pt.y-q[1], pt.z-q[2]
	return math.Sqrt(dx*dx + dy*dy + dz*dz)
}

// haversine is the great-circle distance from (phi, lambda), in radians,
// whose latitude's cosine is cp, to pt.
func haversine(phi, lambda, cp float64, pt *point) float64 {
	sp := math.Sin((pt.lat - phi) / 2)
	sl := math.Sin((pt.lon - lambda) / 2)
	a := sp*sp + cp*pt.cosLat*sl*sl
	return 2 * EarthKm * math.Asin(min(math.Sqrt(a), 1))
}

// DistanceKm is the great-circle distance in kilometres between two points
// given in WGS84 degrees (haversine, on a sphere of radius EarthKm).
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	phi, lambda := lat1*math.Pi/180, lon1*math.Pi/180
	lat, lon := lat2*math.Pi/180, lon2*math.Pi/180
	return haversine(phi, lambda, math.Cos(phi), &point{lat: lat, lon: lon, cosLat: math.Cos(lat)})
}

// heap is a binary heap ordered by less, on a slice the caller may size.
// container/heap would box every element in an interface.
type heap[T any] struct {
	s    []T
	less func(a, b T) bool
}

func (h *heap[T]) push(v T) {
	h.s = append(h.s, v)
	i := len(h.s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(h.s[i], h.s[p]) {
			break
		}
		h.s[i], h.s[p] = h.s[p], h.s[i]
		i = p
	}
}

func (h *heap[T]) pop() T {
	top := h.s[0]
	last := len(h.s) - 1
	h.s[0] = h.s[last]
	h.s = h.s[:last]
	h.fix()
	return top
}

// fix moves the top down to its place.
func (h *heap[T]) fix() {
	i, n := 0, len(h.s)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && h.less(h.s[r], h.s[l]) {
			c = r
		}
		if !h.less(h.s[c], h.s[i]) {
			return
		}
		h.s[i], h.s[c] = h.s[c], h.s[i]
		i = c
	}
}
