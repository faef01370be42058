"""The survey definition format, declared once.

Each table of a definition (survey, question, option, KPI) is a :class:`Table` of
:class:`Field` declarations.  Everything that reads or writes a definition is derived from
them: the checks of single values (``parse.py``), the canonical file shape (``serialise.py``),
the Excel columns, headers and lists (``workbook_layout.py``) and the published JSON Schema
(``json_schema.py``).  Rules that relate several fields live in ``rules.py``.

To add an optional setting, declare a Field here and give the dataclass in ``model.py`` an
attribute of the same name with a default: the loader, the writer, the workbook and the JSON
Schema follow.  Labels and help texts are Japanese and go through Flask-Babel (``_l()``): they
are shown to staff.  The declarations keep the lazy strings; the ``label``/``help``… properties
give the text in the current language as a real ``str``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, TypeAlias

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

FORMAT_VERSION: Final = 1

LANGUAGES: tuple[str, ...] = ("ja", "ja-easy", "pt-BR", "en", "vi", "zh-Hans", "tl")
"""Languages a text may be written in.  ``"ja"`` is required for every text."""

LANGUAGE_LABELS: Final[Mapping[str, LazyString]] = {
    "ja": _l("日本語"),
    "ja-easy": _l("やさしい日本語"),
    "pt-BR": _l("ポルトガル語（ブラジル）"),
    "en": _l("英語"),
    "vi": _l("ベトナム語"),
    "zh-Hans": _l("中国語（簡体字）"),
    "tl": _l("タガログ語"),
}
"""Japanese names of the languages, for staff (workbook headers, lists).  Lazy strings: use
``str(...)`` where a real string is needed (``str.join``, cells, JSON)."""

QUESTION_TYPES: tuple[str, ...] = ("single", "multiple", "text", "textarea")
CHOICE_TYPES: tuple[str, ...] = ("single", "multiple")
TEXT_TYPES: tuple[str, ...] = ("text", "textarea")
OPTION_KINDS: tuple[str, ...] = ("answer", "not_applicable")
"""``not_applicable`` marks 「利用したことがない／あてはまらない」-type options."""
DIRECTIONS: tuple[str, ...] = ("up", "down", "maintain")
DEMOGRAPHICS: tuple[str, ...] = ("age_band", "gender", "area")
AUDIENCES: tuple[str, ...] = ("residents", "counter", "course", "staff")
TRANSLATION_STATUSES: tuple[str, ...] = ("reviewed", "machine-draft")

TEXT_MAX_LENGTH_DEFAULT: Final = 2000
"""Default ``max_length`` of a ``textarea`` question."""
TEXT_SHORT_MAX_LENGTH_DEFAULT: Final = 200
"""Default ``max_length`` of a (short) ``text`` question."""
MAX_LENGTH_LIMIT: Final = 10000
"""Largest ``max_length`` a text question may declare."""
FISCAL_YEAR_MIN: Final = 2000
FISCAL_YEAR_MAX: Final = 2100
KEY_MAX_LENGTH: Final = 64


# --------------------------------------------------------------------------- value types

Text: TypeAlias = LazyString | str
"""A text for people as declared: a lazy string (``_l()``), translated when it is read."""


def composed(build: Callable[[], str]) -> LazyString:
    """A text built from other texts when it is read (so in the language of that moment)."""
    return LazyString(build)


@dataclass(frozen=True)
class Choice:
    code: str
    label_text: Text

    @property
    def label(self) -> str:
        return str(self.label_text)


@dataclass(frozen=True)
class Choices:
    """A closed list of codes, each with a Japanese label."""

    items: tuple[Choice, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    def label(self, code: str) -> str:
        return next(item.label for item in self.items if item.code == code)

    def code_for(self, text: str) -> str | None:
        """The code written as ``text``: the code itself or its Japanese label."""
        for item in self.items:
            if text in (item.code, item.label):
                return item.code
        return None

    def listing(self) -> str:
        """``single（単一回答）、multiple（複数回答）…`` for messages and help texts."""
        return _("、").join(_("%(code)s（%(label)s）", code=item.code, label=item.label)
                            for item in self.items)


def _choices(*pairs: tuple[str, Text]) -> Choices:
    return Choices(tuple(Choice(code, label) for code, label in pairs))


@dataclass(frozen=True)
class Str:
    """Any string (e.g. a reference to a question key, checked by the rules)."""


@dataclass(frozen=True)
class Key:
    """A stable identifier matching ``pattern``, at most KEY_MAX_LENGTH characters."""

    pattern: re.Pattern[str]
    noun_text: Text
    allowed_text: Text
    example: str

    @property
    def noun(self) -> str:
        return str(self.noun_text)

    @property
    def allowed(self) -> str:
        return str(self.allowed_text)


@dataclass(frozen=True)
class Enum:
    choices: Choices


@dataclass(frozen=True)
class Boolean:
    pass


@dataclass(frozen=True)
class Integer:
    minimum: int
    maximum: int | None = None
    advice_text: Text = ""

    @property
    def advice(self) -> str:
        return str(self.advice_text)


@dataclass(frozen=True)
class Number:
    pass


@dataclass(frozen=True)
class Proportion:
    """A proportion 0..1 (never a percentage)."""


@dataclass(frozen=True)
class FormatVersion:
    pass


@dataclass(frozen=True)
class Texts:
    """Language code → text.  ``respondent``: shown to respondents, so every offered language
    must be present (KPI titles are for staff and only need Japanese)."""

    respondent: bool


@dataclass(frozen=True)
class CodeList:
    """A list of option codes of the KPI's question."""

    min_items: int = 0


@dataclass(frozen=True)
class StatusMap:
    """Language code → translation status (the languages offered to respondents)."""


@dataclass(frozen=True)
class Line:
    """One line of free text for staff or residents (surrounding and repeated spaces are
    folded), at most ``max_length`` characters; ``pattern`` (with ``what`` saying in words
    what is expected) restricts it further."""

    max_length: int
    pattern: re.Pattern[str] | None = None
    what_text: Text = ""

    @property
    def what(self) -> str:
        return str(self.what_text)


@dataclass(frozen=True)
class Nested:
    """A table of optional settings inside the survey (``[report]``); absent means all unset."""

    table: Table


@dataclass(frozen=True)
class TableList:
    """A list of tables (``[[questions]]``)."""

    table: Table
    min_items: int = 0


ValueType = (
    Str | Key | Enum | Boolean | Integer | Number | Proportion | FormatVersion | Texts | CodeList
    | StatusMap | TableList | Line | Nested
)


@dataclass(frozen=True)
class Field:
    """One key of a table.

    ``default`` is the value when the key is absent (None: no value).  ``write`` says when the
    canonical file spells the key out: ``"always"``, or ``"if_set"`` (left out when the value is
    None, empty or the default).  ``only_for`` lists the question types the key is allowed on.
    """

    key: str
    label_text: Text
    help_text: Text
    type: ValueType
    required: bool = False
    default: object = None
    write: str = "always"
    only_for: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return str(self.label_text)

    @property
    def help(self) -> str:
        return str(self.help_text)


@dataclass(frozen=True)
class Table:
    name: str
    label_text: Text
    fields: tuple[Field, ...]

    @property
    def label(self) -> str:
        return str(self.label_text)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)


# --------------------------------------------------------------------------- declarations


AUDIENCE_CHOICES: Final = _choices(
    ("residents", _l("市民")), ("counter", _l("窓口の来庁者")), ("course", _l("講座の参加者")),
    ("staff", _l("職員"))
)
LANGUAGE_CHOICES: Final = Choices(tuple(Choice(c, LANGUAGE_LABELS[c]) for c in LANGUAGES))
STATUS_CHOICES: Final = _choices(("reviewed", _l("確認済み")), ("machine-draft", _l("機械翻訳の下書き")))
TYPE_CHOICES: Final = _choices(
    ("single", _l("単一回答")), ("multiple", _l("複数回答")), ("text", _l("短い記述")),
    ("textarea", _l("長い記述"))
)
KIND_CHOICES: Final = _choices(("answer", _l("回答")), ("not_applicable", _l("非該当")))
DEMOGRAPHIC_CHOICES: Final = _choices(("age_band", _l("年齢")), ("gender", _l("性別")), ("area", _l("地区")))
DIRECTION_CHOICES: Final = _choices(("up", _l("上げる")), ("down", _l("下げる")), ("maintain", _l("維持")))

SURVEY_KEY_RE: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
CODE_RE: Final = re.compile(r"[a-z0-9_]+")
_CODE_ALLOWED: Final = _l("使える文字は小文字の a-z、数字、アンダースコア（_）で、長さは%(max)s文字までです",
                          max=KEY_MAX_LENGTH)

FISCAL_YEAR: Final = Integer(
    FISCAL_YEAR_MIN, FISCAL_YEAR_MAX, advice_text=_l("年度は西暦で書きます（例: 令和7年度 = 2025）")
)


def _choice_help(choices: Choices) -> LazyString:
    """The listing of ``choices`` as a help text (``type``, ``direction``, ``audience``)."""
    return composed(lambda: _("%(choices)s。", choices=choices.listing()))


OPTION: Final = Table("option", _l("選択肢"), (
    Field("code", _l("回答コード"), _l("回答と一緒に保存されるコード。版が変わっても変えません。"),
          Key(CODE_RE, _l("回答コード"), _CODE_ALLOWED, "somewhat_satisfied"), required=True),
    Field("kind", _l("区分"), _l("answer（回答）か not_applicable（非該当: 「利用したことがない」など）。"),
          Enum(KIND_CHOICES), default="answer", write="if_set"),
    Field("score", _l("得点"), _l("リッカート尺度の平均に使う数値（例: 満足 = 4 … 不満 = 1）。"),
          Number(), write="if_set"),
    Field("text", _l("表示"), _l("選択肢の文（言語ごと）。"), Texts(respondent=True), required=True),
))

QUESTION: Final = Table("question", _l("設問"), (
    Field("key", _l("設問キー"), _l("回答が保存されるキー。版が変わっても変えません。"),
          Key(CODE_RE, _l("設問キー"), _CODE_ALLOWED, "age_band"), required=True),
    Field("type", _l("種類"), _choice_help(TYPE_CHOICES), Enum(TYPE_CHOICES), required=True),
    Field("page", _l("ページ"), _l("ページ番号（1から順に）。書くときはすべての設問に書きます。"),
          Integer(1)),
    Field("required", _l("必須"), _l("回答を必須にするか（true = はい）。"), Boolean(), default=False),
    Field("demographic", _l("属性"), composed(lambda: _(
              "集計の内訳に使う属性設問: %(choices)s。", choices=DEMOGRAPHIC_CHOICES.listing())),
          Enum(DEMOGRAPHIC_CHOICES), write="if_set", only_for=("single",)),
    Field("max_length", _l("最大文字数"),
          _l("記述の最大文字数（1〜%(limit)s）。既定は text %(short)s、textarea %(long)s。",
             limit=MAX_LENGTH_LIMIT, short=TEXT_SHORT_MAX_LENGTH_DEFAULT, long=TEXT_MAX_LENGTH_DEFAULT),
          Integer(1, MAX_LENGTH_LIMIT), write="if_set", only_for=TEXT_TYPES),
    Field("text", _l("設問文"), _l("設問の文（言語ごと）。"), Texts(respondent=True), required=True),
    Field("hint", _l("補足"), _l("設問の下に表示する補足（言語ごと）。"), Texts(respondent=True),
          default={}, write="if_set"),
    Field("options", _l("選択肢"), _l("single・multiple の設問の選択肢（2つ以上）。"),
          TableList(OPTION, min_items=2), default=(), write="if_set", only_for=CHOICE_TYPES),
))

KPI: Final = Table("kpi", _l("KPI"), (
    Field("key", _l("KPIキー"), _l("KPI を識別するキー。"),
          Key(CODE_RE, _l("KPIキー"), _CODE_ALLOWED, "satisfaction_rate"), required=True),
    Field("question", _l("設問キー"), _l("KPI の元になる single の設問のキー。"), Str(), required=True),
    Field("success", _l("成功とする回答コード"), _l("分子に数える回答コード（1つ以上）。"),
          CodeList(min_items=1), required=True),
    Field("excluded", _l("母数から除く回答コード"), _l("母数から除く回答コード（「利用したことがない」など）。"),
          CodeList(), default=()),
    Field("no_answer_in_base", _l("無回答を母数に含める"),
          _l("true: 無回答を母数に含める（通常）。false: 母数から除く。"), Boolean(), default=True),
    Field("direction", _l("方向"), _choice_help(DIRECTION_CHOICES), Enum(DIRECTION_CHOICES),
          required=True),
    Field("baseline_value", _l("基準値"), _l("基準値を 0〜1 の割合で（28.4 % は 0.284）。"), Proportion(),
          required=True),
    Field("baseline_fiscal_year", _l("基準年度"), _l("基準値の年度（西暦。令和7年度 = 2025）。"), FISCAL_YEAR,
          required=True),
    Field("baseline_n", _l("基準値の回答者数"), _l("基準値の元になった回答者数（分かる場合）。"), Integer(1),
          write="if_set"),
    Field("target_value", _l("目標値"), _l("目標値を 0〜1 の割合で。maintain では必須。"), Proportion(),
          write="if_set"),
    Field("target_fiscal_year", _l("目標年度"), _l("目標の年度（西暦。令和12年度 = 2030）。"), FISCAL_YEAR,
          required=True),
    Field("population", _l("母集団の大きさ"), _l("調査対象全体の人数（職員数など。有限母集団修正に使う）。"),
          Integer(1), write="if_set"),
    Field("title", _l("KPI名"), _l("計画に書かれた KPI の名前。"), Texts(respondent=False), required=True),
    Field("headline", _l("数え方"), _l("何を数えるかの短い説明（例: 「満足」＋「やや満足」）。"),
          Texts(respondent=False), required=True),
))

REPORT_TEXT_MAX_LENGTH: Final = 200
MINUTES_MAX: Final = 120
PHONE_RE: Final = re.compile(r"\+?[0-9][0-9 ()\-]{3,30}")
"""A telephone number as printed for residents ("058-383-1111", "+81 58 383 1111")."""
EMAIL_RE: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
WEB_URL_RE: Final = re.compile(r"https?://\S+")
_WEB_ADDRESS: Final = _l("http:// か https:// で始まるアドレス")

CONTACT: Final = Table("contact", _l("問い合わせ先"), (
    Field("name", _l("名前"),
          _l("回答者からの問い合わせに答える部署などの名前（言語ごと。書いていない言語では日本語を表示）。"
             "書くと、サイト全体の問い合わせ先の設定の代わりに、この調査の問い合わせ先として表示します。"),
          Texts(respondent=False), default={}, write="if_set"),
    Field("phone", _l("電話番号"), _l("問い合わせ先の電話番号（例: 058-383-1111）。"),
          Line(40, PHONE_RE, _l("電話番号（例: 058-383-1111）")), default="", write="if_set"),
    Field("email", _l("メールアドレス"), _l("問い合わせ先のメールアドレス。"),
          Line(254, EMAIL_RE, _l("メールアドレス")), default="", write="if_set"),
    Field("url", _l("問い合わせページ"), _l("問い合わせフォームなどのページ（http:// か https:// で始まるアドレス）。"),
          Line(500, WEB_URL_RE, _WEB_ADDRESS), default="", write="if_set"),
    Field("privacy_policy", _l("個人情報の取扱い"),
          _l("この調査に適用する個人情報保護方針のページ（サイト全体の設定の代わり）。"),
          Line(500, WEB_URL_RE, _WEB_ADDRESS), default="", write="if_set"),
))

REPORT: Final = Table("report", _l("報告書"), (
    Field("population", _l("調査対象"),
          _l("印刷用レポートの「調査概要」に書く調査対象（例: 各務原市に住む18歳以上の市民）。"),
          Line(REPORT_TEXT_MAX_LENGTH), default="", write="if_set"),
    Field("department", _l("担当課"), _l("印刷用レポートの「調査概要」に書く担当課（例: 企画総務部 情報推進課）。"),
          Line(REPORT_TEXT_MAX_LENGTH), default="", write="if_set"),
))

SURVEY: Final = Table("survey", _l("調査"), (
    Field("format", _l("形式の版"), _l("定義ファイルの形式。いつも %(version)s。", version=FORMAT_VERSION),
          FormatVersion(), required=True),
    Field("key", _l("調査キー"), _l("URL と出力に使うキー。使い始めたら変えません。"),
          Key(SURVEY_KEY_RE, _l("調査キー"),
              _l("使える文字は小文字の a-z、数字、ハイフン（-）で（先頭と末尾は英数字）、"
                 "長さは%(max)s文字までです", max=KEY_MAX_LENGTH),
              "digital-services"),
          required=True),
    Field("default_language", _l("最初に表示する言語"), _l("翻訳の状態に挙げた言語のどれか。"),
          Enum(LANGUAGE_CHOICES), default="ja"),
    Field("audience", _l("回答者"), _choice_help(AUDIENCE_CHOICES), Enum(AUDIENCE_CHOICES),
          required=True),
    Field("public_results", _l("結果の公開"), _l("集計結果をオープンデータとして公開してよいか。"), Boolean(),
          default=False),
    Field("title", _l("調査名"), _l("調査の名前（言語ごと）。"), Texts(respondent=True), required=True),
    Field("description", _l("説明文"), _l("最初のページに表示する説明（言語ごと）。"), Texts(respondent=True),
          default={}, write="if_set"),
    Field("translation_status", _l("翻訳の状態"),
          composed(lambda: _("回答者に提供する言語と、その翻訳の状態: %(choices)s。",
                              choices=STATUS_CHOICES.listing())),
          StatusMap(), default={"ja": "reviewed"}),
    Field("minutes", _l("回答にかかる時間（分）"),
          _l("回答にかかるおよその時間（1〜%(max)s分）。最初のページとポスターに表示します。", max=MINUTES_MAX),
          Integer(1, MINUTES_MAX), write="if_set"),
    Field("contact", _l("問い合わせ先"),
          _l("この調査の問い合わせ先と個人情報保護方針（任意。サイト全体の設定の代わり）。"),
          Nested(CONTACT), write="if_set"),
    Field("report", _l("報告書"), _l("印刷用レポートの「調査概要」に書く項目（任意）。"), Nested(REPORT),
          write="if_set"),
    Field("questions", _l("設問"), _l("設問（1つ以上）。画面にはこの順に表示します。"),
          TableList(QUESTION, min_items=1), required=True),
    Field("kpis", _l("KPI"), _l("この調査で測る KPI。"), TableList(KPI), default=(), write="if_set"),
))
