"""The instances of one function version: which are idle, which are retiring, which are
provisioned, and which the reaper may stop.

A :class:`Pool` only keeps the books. Stopping an instance (killing it, writing what it
printed, removing its directory) belongs to the runtime, which passes its ``stop``
function to the methods that may stop one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kumo.runtime.api import FunctionSpec
from kumo.runtime.instance import Instance

__all__ = ["Pool", "StopInstance"]


@dataclass
class Pool:
    """The instances of one function version."""

    revision: str
    idle: list[Instance] = field(default_factory=list)
    instances: set[Instance] = field(default_factory=set)
    provisioned: int = 0
    # the spec provisioned instances are started from (kept to replace ones that die)
    spec: FunctionSpec | None = None
    refilling: bool = False

    def take_idle(self, stop: StopInstance) -> Instance | None:
        """An idle instance that can take an invocation, stopping dead or retiring ones."""
        while self.idle:
            instance = self.idle.pop()
            if instance.alive and not instance.retiring:
                return instance
            stop(self, instance)
        return None

    def make_idle(self, instance: Instance) -> None:
        instance.last_used = time.monotonic()
        self.idle.append(instance)

    def retire(self, stop: StopInstance) -> None:
        """Old instances finish what they run, then go; idle ones go now."""
        for instance in list(self.instances):
            instance.retiring = True
            if not instance.busy:
                stop(self, instance)

    def reap(self, cutoff: float, stop: StopInstance) -> None:
        """Stop idle instances last used before ``cutoff`` (or dead), keeping the
        provisioned ones."""
        spare = len(self.instances) - self.provisioned
        for instance in list(self.idle):
            if spare <= 0:
                break
            if instance.last_used < cutoff or not instance.alive:
                stop(self, instance)
                spare -= 1

    def refill_spec(self) -> FunctionSpec | None:
        """The spec to replace provisioned instances that died from, or None when none
        died or a refill is under way."""
        if len(self.instances) < self.provisioned and not self.refilling:
            return self.spec
        return None


# stops one instance of a pool and forgets it
StopInstance = Callable[[Pool, Instance], None]
