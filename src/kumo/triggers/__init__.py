"""Event sources delivering outbox events to functions and queues (comes with the triggers issue)."""
