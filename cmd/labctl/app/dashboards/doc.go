// Package dashboards implements `labctl dashboards`: the list of dashboards
// `labctl open` can reach (name, Service, namespace, port, path), as a table
// or as JSON/YAML with -o.
package dashboards
