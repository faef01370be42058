"""One style for numbers and dates on staff pages and in display strings of exports."""

from __future__ import annotations

from datetime import date, datetime

from surveyapp import formatting as fmt


def test_percentages_and_ranges_use_one_style() -> None:
    assert fmt.pct(0.4544) == "45.4%"
    assert fmt.pct(None) == "—"
    assert fmt.pct_range(0.4544, 0.5512) == "45.4%〜55.1%"
    assert fmt.pct_range(None, 0.5) == "—"


def test_signed_points_use_a_real_minus_and_never_a_signed_zero() -> None:
    assert fmt.points(-0.048) == "\u22124.8"
    assert fmt.points(0.049) == "+4.9"
    assert fmt.points(-0.0001) == "0.0" and fmt.points(0.0) == "0.0"
    assert fmt.points_range(-0.048, 0.049) == "\u22124.8〜+4.9ポイント"
    assert "-" not in fmt.points_range(-0.2, -0.1)


def test_counts_and_decimals() -> None:
    assert fmt.count(12345) == "12,345"
    assert fmt.count(290.6) == "291"
    assert fmt.decimal(1.0712) == "1.07"
    assert fmt.decimal(-0.5) == "\u22120.50"


def test_dates_are_japanese_style_in_japan_time() -> None:
    assert fmt.jp_datetime(datetime(2026, 12, 1, 5, 5)) == "2026年12月1日 14:05"  # stored UTC
    assert fmt.jp_datetime(datetime(2026, 11, 30, 15, 30)) == "2026年12月1日 00:30"
    assert fmt.jp_date(date(2026, 4, 1)) == "2026年4月1日"
    assert fmt.wareki_date(date(2026, 12, 1)) == "令和8年12月1日"
    assert fmt.wareki_date(date(2019, 5, 1)) == "令和元年5月1日"
    assert fmt.wareki_date(date(2019, 4, 30)) == "平成31年4月30日"
