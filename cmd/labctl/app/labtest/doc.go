// Package labtest is the `labctl test` command: it runs labs unattended
// (labs/labtest) and writes the summary, JUnit and JSON reports.
package labtest
