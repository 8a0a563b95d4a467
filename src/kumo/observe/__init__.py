"""Logs, metrics, traces and the dashboard (comes with the observability issue)."""
