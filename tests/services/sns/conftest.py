"""SNS tests share the session's kumo; each test uses its own uniquely named topics/queues."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.services.sns.helpers import Endpoint, Received


@pytest.fixture
def sns(aws_client: Any) -> Any:
    return aws_client("sns")


@pytest.fixture
def sqs(aws_client: Any) -> Any:
    return aws_client("sqs")


@pytest.fixture
def new_topic(sns: Any) -> Callable[..., str]:
    """Create a topic with a unique name (``fifo=True``: a FIFO topic); returns its ARN."""

    def make(prefix: str = "t", *, fifo: bool = False, **attributes: str) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        if fifo:
            name += ".fifo"
            attributes["FifoTopic"] = "true"
        return str(sns.create_topic(Name=name, Attributes=attributes)["TopicArn"])

    return make


@pytest.fixture
def new_queue(sqs: Any) -> Callable[..., tuple[str, str]]:
    """Create a queue with a unique name; returns its URL and ARN."""

    def make(prefix: str = "q", *, fifo: bool = False, **attributes: str) -> tuple[str, str]:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        if fifo:
            name += ".fifo"
            attributes["FifoQueue"] = "true"
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
        return str(url), str(arn["QueueArn"])

    return make


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    """A local HTTP endpoint recording the POSTs it answers 200 (after ``failures`` 500s)."""
    state = Endpoint(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            if state.failures > 0:
                state.failures -= 1
                self.send_response(500)
            else:
                state.requests.put(Received({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
