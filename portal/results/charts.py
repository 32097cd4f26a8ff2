"""Small charts drawn on the server with pygal: a subject's last six months on one metric,
the actual per month as bars and the target as a line.

The intranet has no internet and the Content-Security-Policy refuses inline styles, so
the SVG carries no script (`js=[]`, pygal's default links one from a CDN, and its inline
settings script is taken out), no XML declaration and no comments with pygal's web
addresses, and the page shows it as an
`<img>` from a `data:` URI (an image's own styles are its business, not the page's).
Text is set in the system's CJK fonts so Chinese labels render; the figures are also
in a visually hidden table beside the image for screen readers."""
import base64
import re

import pygal
from pygal.graph.line import Line
from pygal.style import Style

from portal.results.models import MONEY
from portal.results.months import month_label

FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
         '"Microsoft YaHei", "WenQuanYi Micro Hei", system-ui, sans-serif')
STYLE = Style(background="#ffffff", plot_background="#ffffff", foreground="#212529",
              foreground_strong="#212529", foreground_subtle="#ced4da",
              colors=("#0a4ea8", "#d9480f"), font_family=FONTS, label_font_size=15,
              major_label_font_size=15, legend_font_size=16, value_font_size=14,
              no_data_font_size=18, opacity=".85", opacity_hover=".95", stroke_width=3,
              guide_stroke_color="#dee2e6", major_guide_stroke_color="#adb5bd",
              guide_stroke_dasharray="3,3")
# pygal writes its settings into a script even without `js` (for tooltips no one runs
# here) and its web addresses into comments: neither belongs in the image.
_LEFT_OUT = re.compile(r"<!--.*?-->|<script\b.*?</script>", re.S)


class BarsAndLine(pygal.Bar):
    """Bars for every series but the last, which is drawn as a line through the bars'
    middles (pygal has no combined chart of its own)."""

    _self_close = False

    def _plot(self):
        *bars, line = self.series
        for serie in bars:
            self.bar(serie)
        line.points = [(self._x_pos[i], y) for i, (_x, y) in enumerate(line.points)]
        Line.line(self, line)


def _shown(metric: str, value: int | None) -> float | None:
    if value is None:
        return None
    return value / 100 if metric in MONEY else value


def _axis(metric: str):
    if metric in MONEY:
        return lambda value: f"¥{value:,.0f}"
    return lambda value: f"{value:,.0f}"


def months_svg(metric: str, points: list[tuple], actual_label: str, target_label: str,
               no_data: str) -> str:
    """The SVG text of `points` [(month, actual or None, target or None)]: months without
    data have no bar, months without a target no point on the line."""
    chart = BarsAndLine(
        style=STYLE, js=[], disable_xml_declaration=True, width=440, height=280,
        legend_at_bottom=True, legend_at_bottom_columns=2, show_y_guides=True,
        include_x_axis=True, allow_interruptions=True, dots_size=4, margin=8,
        value_formatter=_axis(metric), no_data_text=no_data, truncate_label=-1,
        truncate_legend=-1, min_scale=3, max_scale=6)
    chart.x_labels = [month_label(m, year=False) for m, _a, _t in points]
    chart.add(actual_label, [_shown(metric, a) for _m, a, _t in points])
    chart.add(target_label, [_shown(metric, t) for _m, _a, t in points],
              allow_interruptions=True)
    return rendered(chart)


def rendered(chart) -> str:
    """`chart`'s SVG text without pygal's script and comments (every chart of the portal
    goes through here)."""
    return _LEFT_OUT.sub("", chart.render(is_unicode=True))


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
