package incluster

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/labctl/labctl/loadgen"
)

// accessEntry is a line of fortio's JSON access log.
type accessEntry struct {
	Latency   float64 `json:"latency"`   // seconds
	Timestamp int64   `json:"timestamp"` // start, Unix ns
	Details   string  `json:"details"`   // status code for HTTP runs
}

// parsedLog is what the fortio container printed.
type parsedLog struct {
	samples []loadgen.Sample
	result  []byte // fortio's JSON result, nil when fortio did not finish
}

// parseLog splits the pod log (stdout and stderr interleaved line by line)
// into access log samples and fortio's indented JSON result. fortio's own
// log lines and anything else are skipped.
func parseLog(r io.Reader) (parsedLog, error) {
	var p parsedLog
	var res bytes.Buffer
	inResult, done := false, false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, `{"latency":`):
			var e accessEntry
			if json.Unmarshal([]byte(line), &e) == nil {
				code, err := strconv.Atoi(e.Details)
				if err != nil {
					code = -1
				}
				p.samples = append(p.samples, loadgen.Sample{
					Start: time.Unix(0, e.Timestamp), Latency: time.Duration(e.Latency * 1e9), Code: code,
				})
			}
		case !done && !inResult && line == "{":
			inResult = true
			res.WriteString(line + "\n")
		case inResult && line == "}":
			res.WriteString(line + "\n")
			inResult, done = false, true
		case inResult && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")):
			res.WriteString(line + "\n")
		}
	}
	if done {
		p.result = res.Bytes()
	}
	return p, sc.Err()
}
