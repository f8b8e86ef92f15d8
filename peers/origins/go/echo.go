// Go's net/http server as an h1spec diff origin: answers every request with its reading of it,
// as JSON with base64 strings (see ../../shims/README.md). Usage: echo PORT
package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func pairs(h http.Header) [][2]string {
	out := [][2]string{}
	for name, values := range h {
		for _, v := range values {
			out = append(out, [2]string{b64(name), b64(v)})
		}
	}
	return out
}

// lacking names the received fields Go does not report: Host always (it keeps the effective
// host apart), Content-Length when Transfer-Encoding is present (it drops it).
func lacking(r *http.Request) []string {
	if len(r.TransferEncoding) > 0 {
		return []string{"host", "content-length"}
	}
	return []string{"host"}
}

func main() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.Header().Set("Connection", "close")
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		headers := pairs(r.Header)
		// Go moves Transfer-Encoding out of the header map; put it back. Host cannot be: Go keeps
		// only the effective host (r.Host), hence "fields_lack".
		if len(r.TransferEncoding) > 0 {
			headers = append(headers, [2]string{b64("Transfer-Encoding"), b64(strings.Join(r.TransferEncoding, ", "))})
		}
		echo, _ := json.Marshal(map[string]interface{}{
			"method": b64(r.Method), "target": b64(r.RequestURI), "version": r.Proto,
			"headers": headers, "trailers": pairs(r.Trailer), "body": base64.StdEncoding.EncodeToString(body),
			"fields_lack": lacking(r),
		})
		// After CONNECT a server that does not tunnel closes the connection. An Upgrade field
		// alone changes nothing: net/http reads on unless the handler hijacks the connection.
		if r.Method == "CONNECT" {
			w.Header().Set("Connection", "close")
		}
		if r.Method == "HEAD" || r.Method == "CONNECT" {
			// No body may follow: the reading goes in a header.
			w.Header().Set("Content-Length", "0")
			w.Header().Set("X-H1spec-Echo-Json", base64.StdEncoding.EncodeToString(echo))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-H1spec-Echo", "1")
		w.Write(echo)
	})
	server := &http.Server{Addr: "127.0.0.1:" + os.Args[1], Handler: handler}
	server.ListenAndServe()
}
