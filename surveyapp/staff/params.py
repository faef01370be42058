"""GET parameters of the results pages, checked: a bad value gives a message, never a 500."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from ..results import DEFAULT_LEVEL, DEFAULT_METHOD, LEVELS, ResultFilter
from ..stats import PROPORTION_METHODS
from ..surveys.models import CHANNELS

LEVEL_CHOICES = {f"{level:.2f}": level for level in LEVELS}
MARGINS = (0.03, 0.05, 0.10)


@dataclass
class ResultOptions:
    """What the staff member chose on a results page, with an error per bad parameter."""

    method: str = DEFAULT_METHOD
    level: float = DEFAULT_LEVEL
    channel: str | None = None
    include_demo: bool | None = None  # None: only while a survey has no real responses
    fiscal_year: int | None = None
    group: str | None = None  # "question=option"
    link_id: int | None = None  # a distribution link (a course session is one link)
    date_from: date | None = None
    date_to: date | None = None
    margin: float = 0.05
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def level_code(self) -> str:
        return f"{self.level:.2f}"

    @property
    def selection(self) -> ResultFilter:
        question, option = (self.group.split("=", 1) if self.group else (None, None))
        return ResultFilter(channel=self.channel, include_demo=self.include_demo, link_id=self.link_id,
                            group_question=question, group_option=option,
                            date_from=self.date_from, date_to=self.date_to)

    def query(self, **changes: object) -> dict[str, object]:
        """The non-default parameters (for links that keep the current choice)."""
        values: dict[str, object] = {}
        if self.method != DEFAULT_METHOD:
            values["method"] = self.method
        if self.level != DEFAULT_LEVEL:
            values["level"] = self.level_code
        if self.channel:
            values["channel"] = self.channel
        if self.include_demo is not None:
            values["demo"] = "include" if self.include_demo else "exclude"
        if self.group:
            values["group"] = self.group
        if self.link_id is not None:
            values["link"] = self.link_id
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None:
                values[name] = value.isoformat()
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}


def parse_options(args: Mapping[str, str], *, groups: Mapping[str, set[str]] | None = None,
                  links: set[int] | None = None) -> ResultOptions:
    """Read method, level, channel, demo, fiscal_year, group, link, date_from, date_to and margin."""
    options = ResultOptions()
    errors = options.errors
    method = args.get("method", "").strip()
    if method:
        if method in PROPORTION_METHODS:
            options.method = method
        else:
            errors["method"] = _("信頼区間の方法「%(value)s」は選べません。一覧から選んでください。", value=method)
    level = args.get("level", "").strip()
    if level:
        if level in LEVEL_CHOICES:
            options.level = LEVEL_CHOICES[level]
        else:
            errors["level"] = _("信頼水準は 0.90、0.95、0.99 のどれかを選んでください。")
    channel = args.get("channel", "").strip()
    if channel:
        if channel in CHANNELS:
            options.channel = channel
        else:
            errors["channel"] = _("経路「%(value)s」はありません。", value=channel)
    demo = args.get("demo", "").strip()
    if demo:
        if demo in ("include", "exclude", "auto"):
            options.include_demo = None if demo == "auto" else demo == "include"
        else:
            errors["demo"] = _("デモデータは「自動」「含める」「除く」のどれかを選んでください。")
    year = args.get("fiscal_year", "").strip()
    if year:
        if year.isdigit() and 2000 <= int(year) <= 2100:
            options.fiscal_year = int(year)
        else:
            errors["fiscal_year"] = _("年度は西暦の4桁（例：2026）で指定してください。")
    group = args.get("group", "").strip()
    if group:
        question, _sep, option = group.partition("=")
        if groups is not None and option in groups.get(question, set()):
            options.group = group
        else:
            errors["group"] = _("絞り込みに使う回答「%(value)s」はこのアンケートにありません。", value=group)
    link = args.get("link", "").strip()
    if link:
        if links is not None and link.isdigit() and int(link) in links:
            options.link_id = int(link)
        else:
            errors["link"] = _("リンク「%(value)s」はこのアンケートにありません。", value=link)
    for name in ("date_from", "date_to"):
        raw = args.get(name, "").strip()
        if raw:
            try:
                setattr(options, name, date.fromisoformat(raw))
            except ValueError:
                errors[name] = _("日付は 2026-04-01 の形で入力してください。")
    if options.date_from and options.date_to and options.date_to < options.date_from:
        errors["date_to"] = _("終わりの日付は始めの日付より後にしてください。")
    margin = args.get("margin", "").strip()
    if margin:
        choices = {f"{m * 100:g}": m for m in MARGINS}
        if margin in choices:
            options.margin = choices[margin]
        else:
            errors["margin"] = _("誤差の幅は ±3、±5、±10 ポイントから選んでください。")
    return options
