"""CloudWatch Logs: the Logs API over the log store in :mod:`kumo.observe.logs`."""
