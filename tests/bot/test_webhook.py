"""The webhook server under hostile clients (issue 16.10): half-open and slow connections are timed out, JSON
nested deeper than any update is refused with 400 (never a RecursionError answered 500)."""

from __future__ import annotations

import asyncio
import json

import aiohttp

from bot.webhook import SECRET_HEADER, WebhookServer

SECRET = "hook-secret_0123456789"
HANG_GUARD = 20.0  # generous: the server's own time-outs below are half a second


async def _server(fed: list[dict]) -> WebhookServer:
    async def feed(data: dict) -> None:
        fed.append(data)

    server = WebhookServer(host="127.0.0.1", port=0, path="/hook", secret=SECRET, feed=feed,
                           header_timeout=0.5, body_timeout=0.5)
    await server.start()
    return server


async def test_deeply_nested_json_with_the_right_secret_is_a_400_not_a_500():
    fed: list[dict] = []
    server = await _server(fed)
    try:
        url = f"http://127.0.0.1:{server.port}/hook"
        deep_update = {"update_id": 1, "message": {"message_id": 1}}
        node = deep_update["message"]
        for _ in range(200):
            node["reply_to_message"] = {"message_id": 1}
            node = node["reply_to_message"]
        bodies = ["[" * 200_000 + "]" * 200_000, json.dumps(deep_update)]
        async with aiohttp.ClientSession() as http:
            for body in bodies:
                async with http.post(url, data=body.encode(), headers={SECRET_HEADER: SECRET,
                                                                       "Content-Type": "application/json"}) as r:
                    assert r.status == 400
            async with http.post(url, json={"update_id": 2, "message": {"message_id": 1}},
                                 headers={SECRET_HEADER: SECRET}) as r:
                assert r.status == 200  # an ordinary update still goes through
        assert [d["update_id"] for d in fed] == [2]
    finally:
        await server.stop()


async def _closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server says until it closes the connection."""
    return await asyncio.wait_for(reader.read(), HANG_GUARD)


async def test_half_open_and_slow_connections_are_timed_out():
    fed: list[dict] = []
    server = await _server(fed)
    writers: list[asyncio.StreamWriter] = []
    try:
        # 1. connects and says nothing; 2. sends half a request head; 3. a head, then a body that never ends
        silent = await asyncio.open_connection("127.0.0.1", server.port)
        half = await asyncio.open_connection("127.0.0.1", server.port)
        half[1].write(b"POST /hook HTTP/1.1\r\nHost: x\r\n")
        slow = await asyncio.open_connection("127.0.0.1", server.port)
        slow[1].write(f"POST /hook HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: {SECRET}\r\n"
                      "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"upd".encode())
        writers += [silent[1], half[1], slow[1]]
        assert await _closed_by_server(silent[0]) == b""
        assert await _closed_by_server(half[0]) == b""
        answer = await _closed_by_server(slow[0])
        assert answer.startswith(b"HTTP/1.1 408")
        assert fed == []
    finally:
        for writer in writers:
            writer.close()
        await server.stop()
