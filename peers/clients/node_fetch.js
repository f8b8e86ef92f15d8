// Client shim for Node's fetch (undici, built into Node 18 and later; h1spec client node-fetch):
// the two URLs given as the last two arguments, in order (undici keeps the connection for the
// second); one JSON line per response (peers/clients/README.md).
(async () => {
  for (const url of process.argv.slice(-2)) {
    const method = new URL(url).pathname.startsWith('/HEAD/') ? 'HEAD' : 'GET';
    let line;
    try {
      const res = await fetch(url, { method, signal: AbortSignal.timeout(3000), redirect: 'manual' });
      const body = Buffer.from(await res.arrayBuffer()).toString('latin1');
      line = { verdict: 'accept', status_code: res.status, body };
    } catch (e) {
      const cause = e.cause ? ` (${e.cause.code || e.cause.name}: ${e.cause.message})` : '';
      line = { verdict: 'reject', error: `${e.name}: ${e.message}${cause}` };
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
})();
