"""Time to live: the background sweeper that deletes expired items.

While a table's TTL is enabled, every item holding a number in the TTL attribute is indexed
by its expiry (``dynamodb.expiry``), so a sweep is a range scan up to "now". An expired item
is deleted like any other (indexes, stats, stream) but its stream REMOVE record carries the
service's ``userIdentity``, as DynamoDB marks TTL deletes. The same loop trims stream records
past retention and finishes removing the items of deleted tables.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import math
import time

from kumo.services.dynamodb import store as db
from kumo.services.dynamodb import streams as st
from kumo.services.dynamodb.transactions import TOKEN_TTL, TOKENS, expire_tokens
from kumo.storage.base import Store, Tx
from kumo.storage.keys import key

__all__ = ["INTERVAL", "run_sweeper", "sweep", "sweep_once"]

log = logging.getLogger(__name__)

INTERVAL = 5.0
# DynamoDB ignores expiry times more than five years in the past
HORIZON = 5 * 365 * 24 * 3600
_BATCH = 500


def sweep(tx: Tx, now: float, limit: int = _BATCH) -> int:
    """Delete up to ``limit`` expired items; how many were deleted."""
    deleted = 0
    writers = db.Writers(tx, now)
    cutoff = math.floor(now)
    for table in db.all_tables(tx):
        if not (table.ttl_enabled and table.ttl_attribute):
            continue
        low = key(table.id, cutoff - HORIZON)
        high = key(table.id, cutoff)
        for _, data in list(tx.scan(db.EXPIRY, start=low, end=high, limit=limit - deleted)):
            raw = tx.get(db.ITEMS, base64.b64decode(data["k"]))
            if raw is None:
                continue
            item = db.decode_item(raw["i"])
            expiry = db.expiry_of(item, table.ttl_attribute)
            if expiry is None or expiry >= now:
                continue
            writers.of(table).write(item, None, service=True)
            deleted += 1
        if deleted >= limit:
            break
    writers.close()
    return deleted


def _expired(tx: Tx, now: float) -> bool:
    cutoff = math.floor(now)
    for table in db.all_tables(tx):
        if table.ttl_enabled and table.ttl_attribute:
            low, high = key(table.id, cutoff - HORIZON), key(table.id, cutoff)
            if next(iter(tx.scan(db.EXPIRY, start=low, end=high, limit=1)), None) is not None:
                return True
    return False


def _housekeeping_due(tx: Tx, now: float) -> bool:
    """Whether trimming, token expiry or purging has anything to do (reads are cheap; an
    idle sweeper should not take the write lock)."""
    if tx.count(db.PURGE):
        return True
    for _, data in tx.scan(TOKENS, limit=1000):
        if data["t"] <= now - TOKEN_TTL:
            return True
    for _, stream in tx.scan(st.STREAMS):
        first = next(iter(tx.scan(st.RECORDS, prefix=key(stream["id"]), limit=1)), None)
        if first is not None and first[1]["t"] <= now - st.RETENTION:
            return True
        disabled = stream.get("disabled_at")
        if disabled is not None and disabled < now - st.RETENTION:
            return True
    return False


def sweep_once(store: Store, now: float | None = None) -> int:
    """Sweep until no expired item is left; trim streams; purge deleted tables."""
    when = time.time() if now is None else now
    total = 0
    while store.read(lambda tx: _expired(tx, when)):
        n = store.write(lambda tx: sweep(tx, when))
        total += n
        if n < _BATCH:
            break
    if store.read(lambda tx: _housekeeping_due(tx, when)):
        while store.write(lambda tx: st.trim(tx, when) >= 2000):
            pass
        store.write(lambda tx: expire_tokens(tx, when))
        while store.write(db.purge_some):
            pass
    return total


async def run_sweeper(store: Store, interval: float = INTERVAL) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await asyncio.to_thread(sweep_once, store)
        except Exception:  # keep sweeping; the next round retries
            log.exception("dynamodb TTL sweep failed")
