"""SNS fan-out writes to every SQS subscriber in one transaction with the publish: a fault
in the middle of the fan-out leaves no queue with the message (and no FIFO deduplication
record), and a publish that commits reaches every queue at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kumo.services.sns.publishing import Publisher
from kumo.services.sqs import store as sqs_db
from kumo.storage.base import Tx
from tests.services.sns.helpers import envelope, receive_all

Topic = Callable[..., str]
Queue = Callable[..., tuple[str, str]]
QUEUES = 5


class StoreFault(Exception):
    """The fault injected into a store write."""


class FaultyTx(Tx):
    """A transaction that fails its ``fail_at``-th message write into an SQS queue."""

    def __init__(self, tx: Tx, fail_at: int) -> None:
        self.tx = tx
        self.fail_at = fail_at
        self.messages = 0

    def get(self, table: str, key: bytes) -> Any | None:
        return self.tx.get(table, key)

    def put(self, table: str, key: bytes, value: Any) -> None:
        if table == sqs_db.MESSAGES:
            self.messages += 1
            if self.messages == self.fail_at:
                raise StoreFault(f"injected fault at message write {self.messages}")
        self.tx.put(table, key, value)

    def delete(self, table: str, key: bytes) -> bool:
        return self.tx.delete(table, key)

    def scan(
        self,
        table: str,
        *,
        prefix: bytes | None = None,
        start: bytes | None = None,
        end: bytes | None = None,
        reverse: bool = False,
        limit: int | None = None,
    ) -> Iterator[tuple[bytes, Any]]:
        return self.tx.scan(
            table, prefix=prefix, start=start, end=end, reverse=reverse, limit=limit
        )

    def count(self, table: str, *, prefix: bytes | None = None) -> int:
        return self.tx.count(table, prefix=prefix)

    def emit(self, topic: str, payload: dict[str, Any]) -> None:
        self.tx.emit(topic, payload)


def queue_sizes(kumo: Any, arns: list[str]) -> list[int]:
    """How many messages each queue holds, read in one transaction."""

    def read(tx: Tx) -> list[int]:
        sizes = []
        for arn in arns:
            _, _, _, _, account, name = arn.split(":")
            queue = sqs_db.require_queue(tx, account, name)
            sizes.append(sum(sqs_db.counts(tx, queue.id, sqs_db.now_ms())))
        return sizes

    return list(kumo.platform.store.read(read))


def subscribe_queues(sns: Any, topic: str, new_queue: Queue, *, fifo: bool) -> list[str]:
    urls_and_arns = [new_queue(fifo=fifo) for _ in range(QUEUES)]
    for _, arn in urls_and_arns:
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"RawMessageDelivery": "true"},
        )
    return [arn for _, arn in urls_and_arns]


@pytest.mark.parametrize("fail_at", [1, 3, QUEUES])
def test_a_fault_mid_fan_out_reaches_no_queue(
    kumo: Any, sns: Any, new_topic: Topic, new_queue: Queue, fail_at: int
) -> None:
    topic = new_topic()
    arns = subscribe_queues(sns, topic, new_queue, fifo=False)
    store = kumo.platform.store
    publisher = Publisher(store, kumo.platform.settings)
    with pytest.raises(StoreFault):
        store.write(lambda tx: publisher.publish_in_tx(FaultyTx(tx, fail_at), topic, "lost"))
    assert queue_sizes(kumo, arns) == [0] * QUEUES
    # the same publish without the fault reaches every queue in its one commit
    published = store.write(lambda tx: publisher.publish_in_tx(tx, topic, "kept"))
    assert queue_sizes(kumo, arns) == [1] * QUEUES
    publisher.after_commit(published)
    assert len(published.queues) == QUEUES


def test_a_failed_fifo_fan_out_leaves_no_deduplication_record(
    kumo: Any, sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue
) -> None:
    topic = new_topic(fifo=True)
    arns = subscribe_queues(sns, topic, new_queue, fifo=True)
    store = kumo.platform.store
    publisher = Publisher(store, kumo.platform.settings)

    def publish(tx: Tx) -> Any:
        return publisher.publish_in_tx(tx, topic, "once", group_id="g", dedup_id="d-1")

    with pytest.raises(StoreFault):
        store.write(lambda tx: publish(FaultyTx(tx, 2)))
    assert queue_sizes(kumo, arns) == [0] * QUEUES
    # had the deduplication id been kept, this retry would be dropped as a duplicate
    response = sns.publish(
        TopicArn=topic, Message="once", MessageGroupId="g", MessageDeduplicationId="d-1"
    )
    assert response["MessageId"]
    assert queue_sizes(kumo, arns) == [1] * QUEUES


def test_publish_through_the_wire_reaches_every_queue(
    kumo: Any, sns: Any, sqs: Any, new_topic: Topic, new_queue: Queue
) -> None:
    topic = new_topic()
    queues = [new_queue() for _ in range(QUEUES)]
    for _, arn in queues:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    message_id = sns.publish(TopicArn=topic, Message="to all")["MessageId"]
    assert queue_sizes(kumo, [arn for _, arn in queues]) == [1] * QUEUES
    for url, _ in queues:
        assert envelope(receive_all(sqs, url, 1)[0])["MessageId"] == message_id
