package redact

import "testing"

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:8080/productpage", "http://127.0.0.1:8080/productpage"},
		{"http://admin:s3cret@prom:9090/api", "http://xxxxx@prom:9090/api"},
		{"https://user@host/x", "https://xxxxx@host/x"},
		{"http://h/p?a=1&token=abc&b=2", "http://h/p?a=1&token=xxxxx&b=2"},
		{"http://h/p?X-Amz-Signature=abc&api_key=k&page=3", "http://h/p?X-Amz-Signature=xxxxx&api_key=xxxxx&page=3"},
		{"http://h/p?access%5Ftoken=abc", "http://h/p?access%5Ftoken=xxxxx"},
		{"http://h/p?flag", "http://h/p?flag"},
		{"not a url", "not a url"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`Get "http://u:pw@h:1/x?token=t": dial tcp: refused`, `Get "http://xxxxx@h:1/x?token=xxxxx": dial tcp: refused`},
		{"reached http://a:b@h/x.", "reached http://xxxxx@h/x."},
		{"two: http://a:b@h1 and https://c:d@h2/p", "two: http://xxxxx@h1 and https://xxxxx@h2/p"},
		{"no urls here", "no urls here"},
		{"bad http://a:b@h%zz/x", "bad http://xxxxx@h%zz/x"},
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
