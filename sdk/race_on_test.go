//go:build race

package fsmeta_test

// raceBuild tells whether the tests run under the race detector.
const raceBuild = true
