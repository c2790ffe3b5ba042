package workload

import (
	"math"
	"math/bits"
)

// Everything random in this package comes from the functions below, so that
// a namespace is a pure function of its seed, whatever the Go version.

// mix64 is the splitmix64 finalizer: a bijection of uint64 with good
// avalanche, used both as a hash and to derive independent streams.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// key derives a stream key from a seed and two integers (the same inputs
// always give the same key; different inputs almost surely differ).
func key(seed, a, b uint64) uint64 {
	return mix64(mix64(seed^0x6a09e667f3bcc908+a) ^ (b + 0xbb67ae8584caa73b))
}

// hashString is FNV-1a 64, mixed: a key from a path or name.
func hashString(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return mix64(h)
}

// Rand is a small deterministic generator (splitmix64). The zero value is a
// valid generator; copy it to fork a stream.
type Rand struct{ s uint64 }

// NewRand returns a generator for seed.
func NewRand(seed uint64) Rand { return Rand{s: mix64(seed ^ 0x9e3779b97f4a7c15)} }

// NewRandKey returns a generator for the stream (seed, a, b).
func NewRandKey(seed, a, b uint64) Rand { return Rand{s: key(seed, a, b)} }

// Uint64 returns 64 random bits.
func (r *Rand) Uint64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// Intn returns a number in [0, n); n must be > 0.
func (r *Rand) Intn(n int) int {
	hi, _ := bits.Mul64(r.Uint64(), uint64(n))
	return int(hi)
}

// Int63n returns a number in [0, n); n must be > 0.
func (r *Rand) Int63n(n int64) int64 {
	hi, _ := bits.Mul64(r.Uint64(), uint64(n))
	return int64(hi)
}

// Float64 returns a number in [0, 1).
func (r *Rand) Float64() float64 { return float64(r.Uint64()>>11) / (1 << 53) }

// Chance reports true with probability p.
func (r *Rand) Chance(p float64) bool { return r.Float64() < p }

// Norm returns a standard normal deviate (Box-Muller, one of the pair).
func (r *Rand) Norm() float64 {
	u := 1 - r.Float64() // (0, 1]
	v := r.Float64()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
}

// Exp returns an exponential deviate of mean 1.
func (r *Rand) Exp() float64 { return -math.Log(1 - r.Float64()) }

// LogNormal returns exp(mu + sigma*N(0,1)).
func (r *Rand) LogNormal(mu, sigma float64) float64 { return math.Exp(mu + sigma*r.Norm()) }

// Pareto returns a Pareto deviate with minimum 1 and shape alpha.
func (r *Rand) Pareto(alpha float64) float64 {
	return math.Pow(1-r.Float64(), -1/alpha)
}

// pick returns an index into weights chosen with probability proportional
// to its weight.
func (r *Rand) pick(weights []float64) int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	x := r.Float64() * sum
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
