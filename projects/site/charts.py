"""Traction metrics grouped into series, and the geometry of their small SVG charts.

The chart is drawn on the server (no chart library, no script); the page also
lists every dated value as text, so the chart only repeats what the table says.
"""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 320, 100, 10


@dataclass
class Point:
    x: float
    y: float
    metric: object


@dataclass
class Series:
    label: str
    metrics: list  # oldest first

    @property
    def latest(self):
        return self.metrics[-1]

    @property
    def chart(self):
        """Points to plot, or None when there is a single dated value."""
        if len(self.metrics) < 2:
            return None
        return chart_points(self.metrics)

    @property
    def polyline(self):
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.chart)


def metric_series(metrics):
    """Group metrics by label, keeping the first-seen order of labels; oldest value first."""
    groups = {}
    for metric in metrics:
        groups.setdefault(metric.label, []).append(metric)
    return [
        Series(label, sorted(rows, key=lambda m: (m.as_of, m.pk))) for label, rows in groups.items()
    ]


def chart_points(metrics):
    """Scale dates to x and values to y (from zero, so growth is not exaggerated)."""
    first, last = metrics[0].as_of, metrics[-1].as_of
    span_days = (last - first).days or 1
    values = [float(m.value) for m in metrics]
    low = min(0.0, *values)
    high = max(values)
    span = (high - low) or 1.0
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    return [
        Point(
            x=PAD + inner_w * (m.as_of - first).days / span_days,
            y=PAD + inner_h * (1 - (float(m.value) - low) / span),
            metric=m,
        )
        for m in metrics
    ]
