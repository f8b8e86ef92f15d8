// Client shim for Node's http.get (h1spec client node-http): the two URLs given as the last two
// arguments, in order, through one keep-alive Agent with one socket, as a Node user keeping
// connections does; one JSON line per response (peers/clients/README.md).
const http = require('http');

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function fetchOne(url) {
  return new Promise((resolve) => {
    const method = new URL(url).pathname.startsWith('/HEAD/') ? 'HEAD' : 'GET';
    const req = http.request(url, { method, agent, timeout: 3000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ verdict: 'accept', status_code: res.statusCode, body: Buffer.concat(chunks).toString('latin1') }));
      res.on('error', (e) => resolve({ verdict: 'reject', error: `${e.code || e.name}: ${e.message}` }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ verdict: 'reject', error: `${e.code || e.name}: ${e.message}` }));
    req.end();
  });
}

(async () => {
  for (const url of process.argv.slice(-2)) {
    process.stdout.write(JSON.stringify(await fetchOne(url)) + '\n');
  }
  agent.destroy();
})();
