// Node's HTTP/1.1 request parser (llhttp, as shipped inside `node`) as an h1spec diff shim.
// Reads one stream of raw bytes on stdin and prints one `h1spec parse` JSON line per message
// (see README.md). Uses the parser the http module uses, with the settings its server uses by
// default: no lenient flags, 16 KiB of head.
'use strict';
const { HTTPParser, methods } = require('_http_common');

const latin1 = (buf) => Buffer.from(buf).toString('latin1');
const pairs = (raw) => {
  const out = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
};

// Reads one stream and returns its verdict lines.
function readStream(input) {
  const lines = [];
  let current = null;
  let url = '';
  let raw = [];
  let stop = false;
  let refused = null;
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {}, 16 * 1024, HTTPParser.kLenientNone);
  // Before a head is complete, kOnHeaders delivers parts of the head (url and fields) the
  // parser flushed early; after it, the trailer fields.
  parser[HTTPParser.kOnHeaders] = (headers, u) => {
    if (current) current.trailers.push(...headers);
    else { raw.push(...headers); url += u || ''; }
  };
  parser[HTTPParser.kOnHeadersComplete] = (major, minor, headers, method, u, _s, _r, upgrade, keepAlive) => {
    current = {
      raw: headers ? raw.concat(headers) : raw,
      method: methods[method],
      target: u === undefined ? url : url + u,
      version: `HTTP/${major}.${minor}`,
      body: [],
      trailers: [],
      upgrade,
      keepAlive,
    };
    url = '';
    raw = [];
    return 0;
  };
  parser[HTTPParser.kOnBody] = (b) => { if (current && !stop) current.body.push(Buffer.from(b)); };
  parser[HTTPParser.kOnMessageComplete] = () => {
    const m = current;
    current = null;
    if (stop) return;
    lines.push({
      verdict: 'accept', kind: 'request', method: m.method, target: m.target, version: m.version,
      headers: pairs(m.raw), trailers: pairs(m.trailers), body: latin1(Buffer.concat(m.body)),
    });
    // The contract: stop where a server stops reading this connection.
    if (!m.keepAlive || m.upgrade || m.method === 'CONNECT') stop = true;
  };
  const r = parser.execute(input);
  if (r instanceof Error) {
    if (!stop) {
      const status = r.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      refused = { verdict: 'reject', status, error: r.code || 'error', offset: r.bytesParsed || 0, message: r.reason || String(r), stage: current ? 'body' : 'head' };
    }
  } else if (!stop) {
    // The end of input: the client closed.
    const f = parser.finish();
    if (f instanceof Error || current || url || raw.length) {
      refused = { verdict: 'reject', status: null, error: 'unexpected-eof', offset: input.length, message: 'the input ended inside a message', stage: current ? 'body' : 'head' };
    }
  }
  if (refused) lines.push(refused);
  return lines;
}

const chunks = [];
if (process.argv.includes('--batch')) {
  // Frames: LEN "\n" then LEN bytes; each answered with its lines and an empty line.
  let pending = Buffer.alloc(0);
  process.stdin.on('data', (c) => {
    pending = Buffer.concat([pending, c]);
    for (;;) {
      const nl = pending.indexOf(10);
      if (nl < 0) return;
      const len = Number(pending.subarray(0, nl).toString());
      if (pending.length < nl + 1 + len) return;
      const frame = pending.subarray(nl + 1, nl + 1 + len);
      pending = pending.subarray(nl + 1 + len);
      const out = readStream(frame).map((l) => JSON.stringify(l) + '\n').join('');
      process.stdout.write(out + '\n');
    }
  });
} else {
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => {
    for (const l of readStream(Buffer.concat(chunks))) process.stdout.write(JSON.stringify(l) + '\n');
  });
}
