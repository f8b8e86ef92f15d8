// Go's net/http request reader (http.ReadRequest, then the body) as an h1spec diff shim.
// Reads one stream of raw bytes on stdin and prints one `h1spec parse` JSON line per request
// (see ../README.md). Build: go build -o parse-go parse.go (Debian: apt-get install golang-go).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
)

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// fields lists a header map as pairs. Go keeps a map of canonical names, so the order across
// names is lost (h1spec compares fields per name). Transfer-Encoding, which Go moves out of the
// map, is put back; Host cannot be: Go keeps only the effective host (req.Host, which an
// absolute-form target overrides), so the verdict lists it in "fields_lack".
func fields(h http.Header, te []string) [][2]string {
	out := [][2]string{}
	if len(te) > 0 {
		out = append(out, [2]string{"Transfer-Encoding", strings.Join(te, ", ")})
	}
	for name, values := range h {
		for _, v := range values {
			out = append(out, [2]string{latin1([]byte(name)), latin1([]byte(v))})
		}
	}
	return out
}

// lacking names the received fields Go does not report: Host always (it keeps the effective
// host apart), Content-Length when Transfer-Encoding is present (it drops it).
func lacking(req *http.Request) []string {
	if len(req.TransferEncoding) > 0 {
		return []string{"host", "content-length"}
	}
	return []string{"host"}
}

func status(err error) interface{} {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return nil // cut short: the stream ended inside a message
	}
	if strings.Contains(err.Error(), "unsupported transfer encoding") {
		return 501
	}
	return 400
}

func main() {
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	if len(os.Args) > 1 && os.Args[1] == "--batch" {
		// Frames: LEN "\n" then LEN bytes; each answered with its lines and an empty line.
		in := bufio.NewReader(os.Stdin)
		for {
			header, err := in.ReadString('\n')
			if err != nil {
				return
			}
			n, err := strconv.Atoi(strings.TrimSpace(header))
			if err != nil {
				return
			}
			frame := make([]byte, n)
			if _, err := io.ReadFull(in, frame); err != nil {
				return
			}
			readStream(frame, enc)
			out.WriteString("\n")
			out.Flush()
		}
	}
	data, _ := io.ReadAll(os.Stdin)
	readStream(data, enc)
	out.Flush()
}

// readStream prints the verdict lines for one stream.
func readStream(data []byte, enc *json.Encoder) {
	br := bufio.NewReader(strings.NewReader(string(data)))
	for {
		if _, err := br.Peek(1); err == io.EOF {
			return // the stream ended on a message boundary
		}
		req, err := http.ReadRequest(br)
		if err != nil {
			enc.Encode(map[string]interface{}{"verdict": "reject", "status": status(err), "error": "read-request", "message": err.Error(), "stage": "head"})
			return
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			enc.Encode(map[string]interface{}{"verdict": "reject", "status": status(err), "error": "read-body", "message": err.Error(), "stage": "body"})
			return
		}
		enc.Encode(map[string]interface{}{
			"verdict": "accept", "kind": "request", "method": latin1([]byte(req.Method)),
			"target": latin1([]byte(req.RequestURI)), "version": req.Proto,
			"headers":  fields(req.Header, req.TransferEncoding),
			"trailers": fields(req.Trailer, nil), "body": latin1(body), "fields_lack": lacking(req),
		})
		// The contract: stop where a server stops reading this connection. net/http's server reads
		// on after a request with an Upgrade field its handler does not take over (it only hands
		// the connection over on Hijack), so an Upgrade field alone does not stop it.
		if req.Close || req.Method == "CONNECT" {
			return
		}
	}
}
