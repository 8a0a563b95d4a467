"""The reference server for benchmarks: a hello-world ASGI app on kumo's uvicorn settings."""

from __future__ import annotations

import sys
from typing import Any

import uvicorn

from kumo.server import uvicorn_config

BODY = b"hello, world"


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(BODY)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


if __name__ == "__main__":
    config = uvicorn_config(app, host="127.0.0.1", port=int(sys.argv[1]))  # type: ignore[arg-type]
    config.lifespan = "off"
    uvicorn.Server(config).run()
