"""Event sources: deliver outbox events to functions and queues (the triggers issue)."""
