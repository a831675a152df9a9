// Package redact removes secrets from URLs and text before labctl prints or
// writes them: the password (and user) of a URL's userinfo, and the values
// of query parameters whose names look like credentials.
package redact
