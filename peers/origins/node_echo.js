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

const server = http.createServer((req, res) => {
  const body = [];
  req.on('data', (c) => body.push(c));
  req.on('end', () => {
    const echo = JSON.stringify({
      method: b64(req.method), target: b64(req.url), version: `HTTP/${req.httpVersion}`,
      headers: pairs(req.rawHeaders), trailers: pairs(req.rawTrailers),
      body: Buffer.concat(body).toString('base64'),
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(echo), 'X-H1spec-Echo': '1' });
    res.end(echo);
  });
});
server.on('upgrade', (req, socket) => socket.destroy());
server.on('connect', (req, socket) => socket.destroy());
server.listen(Number(process.argv[2]), '127.0.0.1');
