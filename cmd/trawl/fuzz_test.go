package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// FuzzConfig decodes any text as config.toml. A config that is refused
// gets one clean line naming the file, and a line inside it when it names
// one; a config that is accepted has no negative number or duration. The
// seed corpus is in testdata/fuzz/FuzzConfig.
func FuzzConfig(f *testing.F) {
	f.Add([]byte(defaultConfigText))
	at := regexp.MustCompile(`^config config\.toml(?::(\d+))?: `)
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := parseConfig("config.toml", text)
		if err != nil {
			msg := err.Error()
			m := at.FindStringSubmatch(msg)
			if m == nil {
				t.Fatalf("error %q does not name the file", msg)
			}
			if m[1] != "" {
				if n, _ := strconv.Atoi(m[1]); n < 1 || n > bytes.Count(text, []byte("\n"))+1 {
					t.Errorf("error %q names a line the file does not have", msg)
				}
			}
			if len(unsafeChars(msg, 1)) > 0 || strings.ContainsAny(msg, "\n\t") {
				t.Errorf("error is not one clean line: %q", msg)
			}
			return
		}
		if c.Fetch.Concurrency < 0 || c.Fetch.PerHost < 0 || c.Fetch.MaxFeedMB < 0 || c.Fetch.MaxItems < 0 ||
			c.Fetch.Timeout.Duration < 0 || c.Fetch.ConnectTimeout.Duration < 0 || c.Retention.MaxAge.Duration < 0 {
			t.Errorf("accepted %+v", c)
		}
	})
}
