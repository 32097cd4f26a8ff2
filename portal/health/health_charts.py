"""The overview's two charts, drawn on the server as the results charts are (same style,
no script, shown as a `data:` URI image beside a visually hidden table of the numbers):
how many partners fall in each band of health, and each province's average health."""
import math

import pygal

from portal.results.charts import STYLE, data_uri, rendered

# Rows of the province chart: its height follows their number.
ROW_HEIGHT, MIN_HEIGHT = 30, 220


def _options(no_data: str, **more) -> dict:
    return dict(style=STYLE, js=[], disable_xml_declaration=True, show_legend=False,
                margin=8, no_data_text=no_data, truncate_label=-1, show_y_guides=True,
                print_values=True, **more)


def _uri(chart) -> str:
    return data_uri(rendered(chart))


def bands_chart(bands: list[tuple[str, int]], title: str, no_data: str) -> str:
    """The data URI of partners per band of health, `bands` [(label, count)] in order."""
    top = max([count for _label, count in bands] + [1])
    step = math.ceil(top / 5)  # whole partners on the axis, five steps at most
    chart = pygal.Bar(**_options(no_data, width=520, height=280,
                                 value_formatter=lambda v: f"{v:,.0f}"))
    chart.y_labels = list(range(0, top + step, step))
    chart.x_labels = [label for label, _count in bands]
    chart.add(title, [count for _label, count in bands])
    return _uri(chart)


def provinces_chart(rows: list[tuple[str, float | None]], title: str, no_data: str) -> str:
    """The data URI of each province's average health, `rows` [(label, average or
    None)] from the top down; a province without a score has no bar."""
    height = max(MIN_HEIGHT, ROW_HEIGHT * len(rows) + 80)
    # pygal sizes the label column for Latin letters; a CJK character is about twice as
    # wide, so give the longest label the rest of the room it needs.
    widest = max((len(label) for label, _average in rows), default=0)
    chart = pygal.HorizontalBar(**_options(no_data, width=520, height=height, range=(0, 100),
                                           value_formatter=lambda v: f"{v:.0f}"),
                                margin_left=8 + 8 * widest)
    rows = rows[::-1]  # pygal draws the first label at the bottom
    chart.x_labels = [label for label, _average in rows]
    chart.add(title, [average for _label, average in rows])
    return _uri(chart)
