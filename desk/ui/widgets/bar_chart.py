"""A bar chart (QtCharts) of a few named bar sets over categories: the case figures and the
head office reports draw through it.

Values arrive as ints or Decimals (counts, money already in major units, percentages); they
become floats here, at the last step, only because a chart's coordinates are floats."""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

# dark blue, dark green, dark red, amber: readable on the light theme and in print
COLOURS = ("#1f4e8c", "#2e7d32", "#a32626", "#b7791f")


def _short(label: str, width: int = 18) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


class BarChart(QChartView):
    def __init__(self, name: str, parent: QWidget | None = None, min_height: int = 260):
        self._chart = QChart()
        self._chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self._chart.legend().setVisible(True)
        self._chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        super().__init__(self._chart, parent)
        self.setObjectName(name)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(min_height)

    def show_bars(self, title: str, categories: list[str], sets: list[tuple[str, list]], axis_title: str = "",
                  empty: str = "(nothing)", colours: tuple[str, ...] = COLOURS, axis_max: int | None = None) -> None:
        """Draw ``sets`` (name, one value per category) as grouped bars; no categories draws
        one empty group labelled ``empty``. ``axis_max`` fixes the value axis' top."""
        chart = self._chart
        chart.removeAllSeries()
        for axis in list(chart.axes()):
            chart.removeAxis(axis)
        chart.setTitle(title)
        series = QBarSeries()
        whole = True
        top = 0.0
        for i, (name, values) in enumerate(sets):
            bar = QBarSet(name)
            bar.setColor(QColor(colours[i % len(colours)]))
            for v in values:
                whole = whole and (v is None or isinstance(v, int))  # counts: whole ticks
                number = float(v or 0)  # a plotting coordinate, nothing is computed from it
                top = max(top, number)
                bar.append(number)
            series.append(bar)
        chart.addSeries(series)
        labels = QBarCategoryAxis()
        labels.append([_short(c) for c in categories] or [empty])
        chart.addAxis(labels, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(labels)
        values = QValueAxis()
        if axis_max is not None:
            values.setRange(0, axis_max)
            values.setTickCount(axis_max + 1 if axis_max <= 10 else 6)
            values.setLabelFormat("%d")
        elif whole:
            top_int = max(int(top + 0.999), 1)
            values.setRange(0, top_int)
            if top_int <= 10:
                values.setTickCount(top_int + 1)
            else:
                values.setTickCount(6)
                values.applyNiceNumbers()
            values.setLabelFormat("%d")
        else:
            values.setRange(0, top * 1.1 or 1)  # a little room above the tallest bar
            values.setTickCount(6)
            values.applyNiceNumbers()
            values.setLabelFormat("%.2f" if top < 10 else "%.0f")
        if axis_title:
            values.setTitleText(axis_title)
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(values)

    # -- what a test reads back -----------------------------------------------------------------
    def categories(self) -> list[str]:
        axes = [a for a in self._chart.axes() if isinstance(a, QBarCategoryAxis)]
        return list(axes[0].categories()) if axes else []

    def bar_sets(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for series in self._chart.series():
            for bar in series.barSets():
                out[bar.label()] = [bar.at(i) for i in range(bar.count())]
        return out

    def axis_range(self) -> tuple[float, float]:
        axes = [a for a in self._chart.axes() if isinstance(a, QValueAxis)]
        return (axes[0].min(), axes[0].max()) if axes else (0.0, 0.0)

    def axis_title(self) -> str:
        axes = [a for a in self._chart.axes() if isinstance(a, QValueAxis)]
        return axes[0].titleText() if axes else ""
