// Client shim for Go's net/http client (h1spec client go): the two URLs given as the last two
// arguments, in order, through one http.Client whose Transport keeps one idle connection per
// host, as a Go user does; one JSON line per response (peers/clients/README.md).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

type line struct {
	Verdict    string `json:"verdict"`
	StatusCode *int   `json:"status_code,omitempty"`
	Body       string `json:"body,omitempty"`
	Error      string `json:"error,omitempty"`
}

// latin1 maps byte N to code point N, so that every byte survives JSON.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

func main() {
	transport := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true}
	client := &http.Client{
		Transport: transport,
		Timeout:   3 * time.Second,
		// A redirect is a response like any other here: the shim reports it, it does not follow it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	out := json.NewEncoder(os.Stdout)
	for _, raw := range os.Args[len(os.Args)-2:] {
		method := "GET"
		if u, err := url.Parse(raw); err == nil && strings.HasPrefix(u.Path, "/HEAD/") {
			method = "HEAD"
		}
		l := line{Verdict: "accept"}
		req, err := http.NewRequest(method, raw, nil)
		if err == nil {
			var resp *http.Response
			resp, err = client.Do(req)
			if err == nil {
				var body []byte
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				status := resp.StatusCode
				l.StatusCode, l.Body = &status, latin1(body)
			}
		}
		if err != nil {
			l = line{Verdict: "reject", Error: fmt.Sprint(err)}
		}
		out.Encode(l)
	}
}
