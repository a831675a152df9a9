package cluster

// Owner is implemented by providers whose every cluster labctl owns from
// the moment it starts making it (kwok: the processes run from labctl's
// own cache). `up` records such an environment before Ensure starts
// anything, so `down` finds and removes a cluster whose start was
// interrupted or failed. kind is not one: a kind cluster of the same name
// may be someone else's, and kind cleans up an interrupted create itself.
type Owner interface {
	// OwnsClusters reports whether Delete may remove whatever Ensure of
	// the same request left behind.
	OwnsClusters() bool
}
