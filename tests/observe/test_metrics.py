"""The metric store's statistics: aggregation, percentiles and periods."""

from __future__ import annotations

from kumo.observe.metrics import Datapoint, aggregate, buckets, dims_id, normalize, percentile


def test_aggregate_mixes_values_counts_and_statistic_sets() -> None:
    stats = aggregate(
        [
            Datapoint(0, "Count", values=[1.0, 5.0], counts=[2.0, 1.0]),
            Datapoint(1, None, stats={"SampleCount": 2, "Sum": 20, "Minimum": 0.5, "Maximum": 15}),
        ]
    )
    assert (stats.sample_count, stats.sum, stats.minimum, stats.maximum) == (5, 27, 0.5, 15)
    assert stats.average == 27 / 5
    assert stats.unit == "Count"
    # only raw values feed percentiles
    assert stats.statistic("p100") == 5.0
    assert stats.statistic("p50") == 1.0
    assert stats.statistic("pxx") is None
    assert stats.statistic("Median") is None


def test_percentile_nearest_rank() -> None:
    samples = [(float(v), 1.0) for v in range(1, 11)]
    assert percentile(samples, 90) == 9.0
    assert percentile(samples, 91) == 10.0
    assert percentile(samples, 0) == 1.0
    assert percentile([], 50) is None
    assert percentile(samples, 101) is None


def test_buckets_are_epoch_aligned() -> None:
    points = [Datapoint(t, None, values=[1.0]) for t in (59_999, 60_000, 119_999, 120_000)]
    by_period = buckets(points, 60_000)
    assert {k: v.sample_count for k, v in by_period.items()} == {0: 1, 60_000: 2, 120_000: 1}


def test_dimension_sets_ignore_order() -> None:
    a = normalize([("B", "2"), ("A", "1")])
    b = normalize([("A", "1"), ("B", "2")])
    assert a == b == (("A", "1"), ("B", "2"))
    assert dims_id(a) == dims_id(b)
