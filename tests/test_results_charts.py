"""The six-month chart drawn on the server: bars for the months with data and the target
as a line, month labels in the reader's language set in CJK fonts, and nothing that
reaches outside the intranet (no script, no web address but the SVG namespace)."""
import base64
import re
from datetime import date

from flask_babel import force_locale

from portal.results.charts import data_uri, months_svg

POINTS = [(date(2026, 7, 1), None, None), (date(2026, 8, 1), 252, None),
          (date(2026, 9, 1), 286, 300), (date(2026, 10, 1), 308, 320),
          (date(2026, 11, 1), 315, 330), (date(2026, 12, 1), 45, 368)]


def _svg(app, metric="visits", points=POINTS, locale="zh"):
    with app.test_request_context(), force_locale(locale):
        return months_svg(metric, points, "实际", "目标", "暂无数据")


def test_the_chart_reaches_nothing_outside(app):
    svg = _svg(app)
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert "<script" not in svg and "<!--" not in svg
    # Namespace names are identifiers, never fetched (pygal adds xlink's when lxml is
    # installed); no other address may appear.
    names = set(re.findall(r'xmlns(?::\w+)?="([^"]+)"', svg))
    assert names <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) == names
    assert "@import" not in svg and "url(" not in svg


def test_bars_for_months_with_data_and_the_target_as_a_line(app):
    svg = _svg(app)
    assert len(re.findall(r'<rect[^>]*class="rect reactive', svg)) == 5  # July: no data
    assert len(re.findall(r'<circle[^>]*class="dot reactive', svg)) == 4  # four targets
    assert 'class="line reactive nofill"' in svg


def test_month_labels_read_in_chinese_or_english_in_cjk_fonts(app):
    chinese = _svg(app)
    assert all(f">{n}月<" in chinese for n in (7, 8, 9, 10, 11, 12))
    assert "Noto Sans CJK SC" in chinese and "Microsoft YaHei" in chinese
    english = _svg(app, locale="en")
    assert ">Jul<" in english and ">Dec<" in english


def test_money_is_charted_in_yuan(app):
    svg = _svg(app, "revenue_fen", [(date(2026, 11, 1), 1280050, 1500000),
                                    (date(2026, 12, 1), 300000, 1600000)])
    assert re.search(r">¥\d{1,3}(,\d{3})*<", svg)
    assert "¥16,000" in svg  # the target's value as the chart gives it


def test_the_page_takes_the_chart_as_a_data_uri(app):
    svg = _svg(app)
    uri = data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg
