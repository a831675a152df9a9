package kwok

// FakeNodeAnnotation is the annotation kwokctl's node template puts on the
// nodes the kwok controller fakes (value "fake"); kwokctl starts kwok with
// --manage-nodes-with-annotation-selector on it.
const FakeNodeAnnotation = "kwok.x-k8s.io/node"

// IsFakeNode reports whether a node with these annotations is simulated by
// kwok. A cluster whose nodes are all fake has no data plane: the existing
// provider can use this to report such a cluster as Simulated.
func IsFakeNode(annotations map[string]string) bool {
	return annotations[FakeNodeAnnotation] == "fake"
}
