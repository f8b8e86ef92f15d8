"""Client shim for aiohttp's client (h1spec client aiohttp): the two URLs given as the last two
arguments, in order, through one ClientSession whose connector keeps one connection per host,
as an aiohttp user does; one JSON line per response (peers/clients/README.md).

aiohttp's C parser (llhttp) is used when its wheel has it, as for its users; AIOHTTP_NO_EXTENSIONS
=1 in the environment selects its pure-Python parser instead.
"""

import asyncio
import json
import sys
import urllib.parse

import aiohttp


async def main():
    connector = aiohttp.TCPConnector(limit_per_host=1, force_close=False)
    timeout = aiohttp.ClientTimeout(total=3)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False) as session:
        for url in sys.argv[-2:]:
            method = "HEAD" if urllib.parse.urlsplit(url).path.startswith("/HEAD/") else "GET"
            try:
                async with session.request(method, url, allow_redirects=False) as response:
                    body = await response.read()
                    line = {"verdict": "accept", "status_code": response.status, "body": body.decode("latin-1")}
            except Exception as e:  # every error of the client is its verdict
                line = {"verdict": "reject", "error": f"{type(e).__name__}: {e}"}
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
