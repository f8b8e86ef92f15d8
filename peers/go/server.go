// Go's net/http as h1spec probes it: 200 with a short body for every request, after reading
// the request body. Usage: go run server.go PORT (127.0.0.1 only).
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
)

func main() {
	addr := "127.0.0.1:" + os.Args[1]
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "hello from go")
	})
	fmt.Println("listening on", addr)
	if err := http.ListenAndServe(addr, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
