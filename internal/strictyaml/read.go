package strictyaml

import (
	"fmt"
	"io"
	"os"
)

// ReadFile reads path but never more than maxBytes+1 bytes (0 means
// DefaultMaxBytes), so a huge file is refused without being read whole. The
// error names the file and the limit.
func ReadFile(path string, maxBytes int) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(maxBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxBytes {
		return nil, Problem{File: path, Message: fmt.Sprintf("the file is larger than the %s limit: %s", size(maxBytes), msgLimitTail)}
	}
	return data, nil
}
