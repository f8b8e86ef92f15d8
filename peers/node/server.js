// Node's http module (llhttp) as h1spec probes it: 200 with a short body for every request,
// after reading the request body. Usage: node server.js PORT (127.0.0.1 only).
const http = require("http");
const port = Number(process.argv[2]);
http
  .createServer((req, res) => {
    req.on("data", () => {});
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": "15" });
      res.end("hello from node");
    });
  })
  .listen(port, "127.0.0.1", () => console.log(`listening on 127.0.0.1:${port}`));
