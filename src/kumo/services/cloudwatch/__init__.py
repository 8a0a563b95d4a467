"""CloudWatch: metrics and alarms over the metric store in :mod:`kumo.observe.metrics`."""
