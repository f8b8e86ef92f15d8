// Node's http server as an h1spec diff origin: answers every request with its reading of it,
// as JSON with base64 strings (see ../shims/README.md). Usage: node node_echo.js PORT
// Listens on 127.0.0.1 only; default server settings (no insecureHTTPParser).
'use strict';
const http = require('http');

const b64 = (s) => Buffer.from(s, 'latin1').toString('base64');
const pairs = (raw) => {
  const out = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([b64(raw[i]), b64(raw[i + 1])]);
  return out;
};

const reading = (req, body) => JSON.stringify({
  method: b64(req.method), target: b64(req.url), version: `HTTP/${req.httpVersion}`,
  headers: pairs(req.rawHeaders), trailers: pairs(req.rawTrailers || []),
  body: Buffer.concat(body).toString('base64'),
});

const server = http.createServer((req, res) => {
  const body = [];
  req.on('data', (c) => body.push(c));
  req.on('end', () => {
    const echo = reading(req, body);
    if (req.method === 'HEAD') {
      // No body may follow: the reading goes in a header.
      res.writeHead(200, { 'Content-Length': 0, 'X-H1spec-Echo-Json': Buffer.from(echo).toString('base64') });
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(echo), 'X-H1spec-Echo': '1' });
    res.end(echo);
  });
});
// CONNECT and Upgrade: Node hands over the socket; the reading is answered in a header and the
// connection closed, as a server that does not tunnel or switch would.
const handOver = (req, socket) => {
  // The bytes after the head are the tunnel's, not a body.
  const echo = Buffer.from(reading(req, [])).toString('base64');
  socket.end(`HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\nX-H1spec-Echo-Json: ${echo}\r\n\r\n`);
};
server.on('upgrade', handOver);
server.on('connect', handOver);
server.listen(Number(process.argv[2]), '127.0.0.1');
