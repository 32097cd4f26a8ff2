"""A subject's last six months of health as one line chart: the whole score and the
three parts, drawn on the server like the results charts (`portal.results.charts`: no
script, no CDN, shown as a `data:` image beside a hidden table). A month without data
is a gap in its line, never a zero."""
import pygal
from pygal.style import Style

from portal.health.measures import PART_LABELS
from portal.health.models import PARTS
from portal.results.charts import STYLE, data_uri, rendered
from portal.results.months import month_label

# The whole score in the portal's blue, then one colour per part.
TREND_STYLE = Style(**{**STYLE.to_dict(),
                       "colors": ("#0a4ea8", "#d9480f", "#2b8a3e", "#6f42c1")})


def trend_uri(history: list[tuple], overall_label: str, no_data: str) -> str | None:
    """The chart of `history` [(month, row or None)] as a `data:` URI; None when no
    month of it has a score."""
    series = {"overall": [getattr(row, "overall", None) for _m, row in history],
              **{part: [getattr(row, part, None) for _m, row in history] for part in PARTS}}
    if all(value is None for values in series.values() for value in values):
        return None
    chart = pygal.Line(
        style=TREND_STYLE, js=[], disable_xml_declaration=True, width=520, height=300,
        legend_at_bottom=True, legend_at_bottom_columns=2, show_y_guides=True,
        allow_interruptions=True, dots_size=4, margin=8, range=(0, 100), min_scale=5,
        max_scale=5, include_x_axis=True, value_formatter=lambda v: f"{v:.1f}",
        no_data_text=no_data, truncate_label=-1, truncate_legend=-1)
    chart.x_labels = [month_label(month, year=False) for month, _row in history]
    chart.add(overall_label, series["overall"], stroke_style={"width": 4})
    for part in PARTS:
        chart.add(str(PART_LABELS[part]), series[part])
    return data_uri(rendered(chart))
