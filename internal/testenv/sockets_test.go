package testenv

import (
	"net"
	"os"
	"testing"
)

func TestParseProcAddr(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ip   string
		port int
	}{
		{"0100007F:1F90", "127.0.0.1", 8080},
		{"00000000:0050", "0.0.0.0", 80},
		{"00000000000000000000000001000000:0016", "::1", 22},
		{"00000000000000000000000000000000:01BB", "::", 443},
		{"0000000000000000FFFF00000100007F:0035", "127.0.0.1", 53},
	} {
		ip, port, err := parseProcAddr(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if !ip.Equal(net.ParseIP(tc.ip)) || port != tc.port {
			t.Errorf("%s = %s:%d, want %s:%d", tc.in, ip, port, tc.ip, tc.port)
		}
	}
	for _, bad := range []string{"0100007F", "zz00007F:0050", "0100007F:zz", "01007F:0050"} {
		if _, _, err := parseProcAddr(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestListeningSockets finds this process's own listeners and tells a
// loopback one from one on every interface.
func TestListeningSockets(t *testing.T) {
	if _, err := os.Stat("/proc/self/net/tcp"); err != nil {
		t.Skip("no procfs socket tables on this system")
	}
	lo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lo.Close()
	all, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close()
	socks, err := ListeningSockets([]int{os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	found := map[int]bool{}
	for _, s := range socks {
		found[s.Port] = s.Loopback()
	}
	if l, ok := found[lo.Addr().(*net.TCPAddr).Port]; !ok || !l {
		t.Errorf("listener %s: found %v, loopback %v in %v", lo.Addr(), ok, l, socks)
	}
	if l, ok := found[all.Addr().(*net.TCPAddr).Port]; !ok || l {
		t.Errorf("listener %s: found %v, loopback %v in %v", all.Addr(), ok, l, socks)
	}
	if _, err := ListeningSockets([]int{1 << 30}); err == nil {
		t.Error("a pid that does not exist gave no error")
	}
}
