"""Logs and metrics: the stores behind CloudWatch Logs and CloudWatch.

* :mod:`kumo.observe.logs` — log groups, streams and events; :class:`StoreLogSink` is where
  the runtime delivers function logs;
* :mod:`kumo.observe.log_reads` — reading a stream, searching a group, the retention sweep;
* :mod:`kumo.observe.filter_patterns` — CloudWatch Logs filter pattern syntax;
* :mod:`kumo.observe.insights` and :mod:`kumo.observe.insights_query` — a subset of the
  Logs Insights query language: running and parsing;
* :mod:`kumo.observe.metrics` — metrics, datapoints and their statistics;
* :mod:`kumo.observe.derive` — metrics derived from log events (metric filters, EMF).

The Logs and CloudWatch APIs over them live in ``services/logs`` and ``services/cloudwatch``.
"""
