// Package layers holds only a test: it checks that hoist's packages import
// each other in one direction, commands → runner → build / distribute /
// images → policy / registries / pipeline, as each package's doc says.
package layers
