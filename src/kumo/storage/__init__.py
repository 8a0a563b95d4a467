"""Durable state: SQLite embedded default, blob files, transactions and the outbox."""
