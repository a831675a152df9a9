// Package scope lists the objects that belong to a lab — the kinds of its
// scope in its scope namespaces, plus those namespaces themselves — takes
// snapshots of them with server-managed fields removed, compares two
// snapshots (created, deleted, changed with the fields that differ), and
// deletes the objects a desired state does not contain. The lab engine uses
// it for resets, prunes, and the "leave the environment as found" check of
// `lab stop` and `labctl test`.
package scope
