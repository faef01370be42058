"""The raw-response download: the codes kept, a Japanese label column beside each coded column,
and the codebook that says what every column and value means.

CSV headings are the stable ASCII column names (for scripts); Excel headings are Japanese
(「問1 …」 with the question's text), so a pivot table or a filter in Japanese Excel reads
naturally without a lookup. The rows are transformed one at a time, so the streaming export's
memory stays flat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..masking import mask
from ..results.raw import FIXED_FIELDS, RawColumn, RawValue
from ..surveys.definitions import QuestionDef, SurveyDef
from ..timeutil import wareki_fiscal_year
from .cells import Cell
from .columns import DATE, FLAG, ID, YEAR, Column
from .labels import CHANNEL_LABELS, LANGUAGE_LABELS, UNKNOWN_LANGUAGE
from .xlsx import Sheet

NO_ANSWER = _l("無回答")
"""The label of an unanswered question (a lazy string: ``str()`` it once, not per row)."""
CODEBOOK_COLUMNS = [
    Column("column", _l("列（CSV）"), width=30),
    Column("question", _l("設問"), width=60),
    Column("type", _l("種類"), width=10),
    Column("value", _l("値"), width=24),
    Column("label", _l("ラベル（意味）"), width=40),
    Column("kind", _l("区分"), width=14),
    Column("excel_header", _l("列（Excel）"), width=40),
]
CODEBOOK_HEADER = [column.key for column in CODEBOOK_COLUMNS]


def question_number(index: int) -> str:
    """「問3」 for the third question of the definition (the numbering of every output)."""
    return _("問%(number)s", number=index + 1)


def _field(name: str) -> int:
    return FIXED_FIELDS.index(name)


@dataclass(frozen=True)
class _Out:
    """One output column: which raw value it shows, and how (as is, or through a label)."""

    column: Column
    source: int
    label: Callable[[RawValue], Cell] | None = None
    free_text: bool = False  # phone numbers and e-mail addresses in it are hidden unless revealed


def _lookup(table: Mapping[str, str], missing: str | None) -> Callable[[RawValue], Cell]:
    get = table.get

    def label(value: RawValue) -> Cell:
        if value is None:
            return missing
        found = get(value)  # type: ignore[arg-type]  # codes are text; anything else is looked up as text
        return found if found is not None else table.get(str(value), str(value))
    return label


def _masked(value: RawValue) -> Cell:
    return mask(value) if isinstance(value, str) else value


def _wareki() -> Callable[[RawValue], Cell]:
    """The era name of a fiscal year, each year translated once per download (not once per row)."""
    known: dict[int, str] = {}

    def label(value: RawValue) -> Cell:
        if not isinstance(value, int):
            return None
        text = known.get(value)
        if text is None:
            text = known[value] = wareki_fiscal_year(value)
        return text
    return label


@dataclass(frozen=True)
class RawExport:
    """The columns of one survey version's raw download and how to fill them."""

    outputs: tuple[_Out, ...]
    codebook: tuple[tuple[Cell, ...], ...]

    @property
    def columns(self) -> list[Column]:
        return [out.column for out in self.outputs]

    def rows(self, raw: Iterable[Sequence[RawValue]], *, reveal: bool = False) -> Iterator[list[Cell]]:
        """Output rows; free text with phone numbers and e-mail addresses hidden unless ``reveal``."""
        pick = itemgetter(*(out.source for out in self.outputs))
        labelled: list[tuple[int, Callable[[RawValue], Cell]]] = []  # the columns shown through a function
        for index, out in enumerate(self.outputs):
            label = _masked if out.free_text and not reveal else out.label
            if label is not None:
                labelled.append((index, label))
        for row in raw:
            cells: list[Cell] = list(pick(row))
            for index, label in labelled:
                cells[index] = label(cells[index])  # type: ignore[arg-type]
            yield cells


def raw_sheets(export: RawExport, rows: Iterable[Sequence[Cell]]) -> list[Sheet]:
    """The raw-response workbook: the responses (first column kept in view) and the codebook."""
    return [Sheet.of(_("回答"), export.columns, rows, freeze_columns=1),
            Sheet.of(_("コードブック"), CODEBOOK_COLUMNS, export.codebook)]


def raw_export(defn: SurveyDef, raw_columns: Sequence[RawColumn]) -> RawExport:
    """The download's columns for a definition and the raw columns read for it."""
    channels = {code: str(text) for code, text in CHANNEL_LABELS.items()}
    languages = {code: str(text) for code, text in LANGUAGE_LABELS.items()}
    unknown = str(UNKNOWN_LANGUAGE)
    no_answer = str(NO_ANSWER)
    outputs = [
        _Out(Column("response_id", _("回答番号"), _("回答の通し番号（回答者を特定する情報ではありません）"), ID),
             _field("response_id")),
        _Out(Column("submitted_date_jst", _("回答日"), _("回答日（日本時間、時刻は含めません）"), DATE, width=11),
             _field("submitted_date_jst")),
        _Out(Column("fiscal_year_wareki", _("年度（和暦）"), _("例：令和8年度"), width=11),
             _field("fiscal_year"), _wareki()),
        _Out(Column("fiscal_year", _("年度（西暦）"), _("年度（西暦、4月〜翌年3月）"), YEAR),
             _field("fiscal_year")),
        _Out(Column("channel", _("経路コード"), _("回答経路のコード（下の値の一覧を参照。demo＝デモデータ）")),
             _field("channel")),
        _Out(Column("channel_label", _("経路"), _("回答経路"), width=18), _field("channel"),
             _lookup(channels, None)),
        _Out(Column("link", _("リンク"), _("配布用リンクの名前"), width=18), _field("link")),
        _Out(Column("survey_version", _("版"), _("回答したアンケートの版"), ID), _field("survey_version")),
        _Out(Column("response_language", _("回答言語コード"),
                    _("回答者が回答した言語のコード（空欄＝記録されていない。記録を始める前の回答など）")),
             _field("response_language")),
        _Out(Column("response_language_label", _("回答言語"),
                    _("回答者が回答した言語（%(unknown)s＝記録されていない）", unknown=unknown),
                    width=14), _field("response_language"), _lookup(languages, unknown)),
    ]
    codebook: list[tuple[Cell, ...]] = []
    for out in outputs:
        column = out.column
        title = str(column.title)
        codebook.append((column.key, str(column.description), "fixed", None, None, None, title))
        if column.key == "channel":
            meaning = _("回答経路")
            codebook.extend((column.key, meaning, "fixed", code, text, None, title)
                            for code, text in channels.items())
        elif column.key == "response_language":
            meaning = _("回答言語")
            codebook.extend((column.key, meaning, "fixed", code, text, None, title)
                            for code, text in languages.items())
    start = len(FIXED_FIELDS)
    numbers = {question.key: index for index, question in enumerate(defn.questions)}
    for offset, raw in enumerate(raw_columns):
        question = defn.question(raw.question_key)
        number = question_number(numbers[question.key])
        text = question.text["ja"]
        for out in _question_outputs(question, raw, number, text, start + offset, no_answer):
            outputs.append(out)
        codebook.extend(_question_codebook(question, raw, number, text, no_answer))
    return RawExport(tuple(outputs), tuple(codebook))


def _option_title(number: str, option: str) -> str:
    return _("%(number)s：%(option)s", number=number, option=option)


def _code_title(number: str) -> str:
    return _("%(number)s（コード）", number=number)


def _question_outputs(question: QuestionDef, raw: RawColumn, number: str, text: str,
                      source: int, no_answer: str) -> list[_Out]:
    if raw.option_code is not None:
        option = question.option(raw.option_code)
        return [_Out(Column(raw.key, _option_title(number, option.text["ja"]),
                            _("%(question)s「%(option)s」を選んだ＝1、選ばなかった＝0、設問に無回答＝空欄",
                              question=text, option=option.text["ja"]),
                            FLAG, width=12), source)]
    if question.type == "single":
        labels = {option.code: option.text["ja"] for option in question.options}
        return [_Out(Column(raw.key, _code_title(number), _("%(question)s（選択肢のコード）", question=text),
                            width=12), source),
                _Out(Column(f"{raw.key}_label", f"{number} {text}", _("%(question)s（選択肢の文言）", question=text),
                            width=18),
                     source, _lookup(labels, no_answer))]
    return [_Out(Column(raw.key, f"{number} {text}",
                        _("%(question)s（自由記述。電話番号とメールアドレスは表示を選ばない限り伏せています）",
                          question=text), width=50),
                 source, free_text=True)]


def _question_codebook(question: QuestionDef, raw: RawColumn, number: str,
                       text: str, no_answer: str) -> list[tuple[Cell, ...]]:
    if raw.option_code is not None:
        option = question.option(raw.option_code)
        return [(raw.key, text, "multiple", "1",
                 _("「%(option)s」を選んだ（0＝選ばなかった、空欄＝設問に無回答）", option=option.text["ja"]),
                 option.kind, _option_title(number, option.text["ja"]))]
    if question.type == "single":
        code_title, label_title = _code_title(number), f"{number} {text}"
        rows: list[tuple[Cell, ...]] = [(raw.key, text, "single", "", no_answer, None, code_title)]
        rows.extend((raw.key, text, "single", option.code, option.text["ja"], option.kind, code_title)
                    for option in question.options)
        rows.append((f"{raw.key}_label", text, "label", None,
                     _("選択肢の文言（日本語）。無回答は「%(no_answer)s」", no_answer=no_answer), None, label_title))
        return rows
    return [(raw.key, text, question.type, None, _("自由記述（そのままの文章）"), None, f"{number} {text}")]
