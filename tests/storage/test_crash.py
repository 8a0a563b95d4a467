"""Nothing acknowledged is lost: kill -9 a writing process, reopen, find every write."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from kumo.storage import open_store

# The child writes from several threads so commits are grouped; each record references a
# blob committed before it (the ordering rule) and emits an outbox event in the same
# transaction. A key is printed only after write() returned, i.e. once acknowledged.
CHILD = textwrap.dedent(
    """
    import hashlib, sys, threading
    from pathlib import Path
    from kumo.storage import open_store

    store = open_store(Path(sys.argv[1]), fsync=False)
    out = threading.Lock()

    def worker(t):
        i = 0
        while True:
            name = f"{sys.argv[2]}-{t}-{i}"
            body = name.encode() * (1 + i % 50)
            blob_id = store.blobs.put(body)
            record = {"blob": blob_id, "sha": hashlib.sha256(body).hexdigest(), "pad": "x" * 200}
            def fn(tx, name=name, record=record):
                tx.put("crash", name, record)
                tx.emit("crash", {"name": name})
            store.write(fn)
            with out:
                sys.stdout.write(name + "\\n")
                sys.stdout.flush()
            i += 1

    for t in range(4):
        threading.Thread(target=worker, args=(t,), daemon=True).start()
    threading.Event().wait()
    """
)


def _collect(stream: IO[bytes], lines: list[bytes]) -> None:
    lines.extend(iter(stream.readline, b""))


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    acked: list[str] = []
    for round_ in range(2):  # the second round starts from the first one's crashed state
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_dir), str(round_)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert child.stdout is not None
        lines: list[bytes] = []
        reader = threading.Thread(target=_collect, args=(child.stdout, lines))
        reader.start()
        deadline = time.monotonic() + 10
        while not lines and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.01)
        time.sleep(0.7)  # let it write for a while, then kill it mid-stream
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        reader.join(10)
        assert child.stderr is not None
        stderr = child.stderr.read().decode()
        child.stdout.close()
        child.stderr.close()
        # a line cut off by the kill has no newline: that write was not acknowledged
        acked += [ln.decode().strip() for ln in lines if ln.endswith(b"\n")]
        assert acked, f"child acknowledged nothing; stderr:\n{stderr}"

    store = open_store(data_dir, fsync=False)
    try:
        records = store.read(lambda tx: {k.decode(): v for k, v in tx.scan("crash")})
        missing = [name for name in acked if name not in records]
        print(f"{len(acked)} acknowledged writes, all present")
        assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:5]}"
        for name in acked:
            record = records[name]
            body = store.blobs.read(record["blob"])
            assert hashlib.sha256(body).hexdigest() == record["sha"]
            assert body == name.encode() * (1 + int(name.split("-")[-1]) % 50)
        events = store.outbox_claim(limit=1_000_000)
        assert {e.payload["name"] for e in events} >= set(acked)
        assert list((data_dir / "blobs" / "tmp").iterdir()) == []  # swept at open
    finally:
        store.close()
