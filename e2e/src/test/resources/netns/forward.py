"""Small TCP forwarders for tests that put a service in a network namespace (RemotePoolIT).

Usage: forward.py LISTEN_HOST:PORT=TARGET_HOST:PORT ...
Each mapping accepts on LISTEN_HOST:PORT only and pipes every connection to TARGET. Prints
"ready" once every listener is bound, so the test knows when it may start what uses them.
"""

import asyncio
import sys


async def pipe(reader, writer):
    """Copies one direction; at its end half-closes the other side, as TCP would, so an HTTP
    keep-alive connection or a Kafka client sees the peer's close exactly as without a forwarder."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, asyncio.CancelledError):
        writer.close()


def handler(target_host, target_port):
    async def handle(client_reader, client_writer):
        print(f"conn {target_port}", flush=True)
        try:
            server_reader, server_writer = await asyncio.open_connection(target_host, target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))
        for w in (client_writer, server_writer):
            w.close()
    return handle


async def main(mappings):
    servers = []
    for mapping in mappings:
        listen, target = mapping.split("=")
        lhost, lport = listen.rsplit(":", 1)
        thost, tport = target.rsplit(":", 1)
        servers.append(await asyncio.start_server(handler(thost, int(tport)), lhost, int(lport), reuse_address=True))
    print("ready", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
