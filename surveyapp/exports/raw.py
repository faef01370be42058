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

from ..masking import mask
from ..results.raw import FIXED_FIELDS, RawColumn, RawValue
from ..surveys.definitions import QuestionDef, SurveyDef
from ..timeutil import wareki_fiscal_year
from .cells import Cell
from .columns import DATE, FLAG, ID, YEAR, Column
from .labels import CHANNEL_LABELS, LANGUAGE_LABELS, UNKNOWN_LANGUAGE

NO_ANSWER = "無回答"
CODEBOOK_COLUMNS = [
    Column("column", "列（CSV）", width=30),
    Column("question", "設問", width=60),
    Column("type", "種類", width=10),
    Column("value", "値", width=24),
    Column("label", "ラベル（意味）", width=40),
    Column("kind", "区分", width=14),
    Column("excel_header", "列（Excel）", width=40),
]
CODEBOOK_HEADER = [column.key for column in CODEBOOK_COLUMNS]


def question_number(index: int) -> str:
    """「問3」 for the third question of the definition (the numbering of every output)."""
    return f"問{index + 1}"


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


def _wareki(value: RawValue) -> Cell:
    return wareki_fiscal_year(value) if isinstance(value, int) else None


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


def raw_export(defn: SurveyDef, raw_columns: Sequence[RawColumn]) -> RawExport:
    """The download's columns for a definition and the raw columns read for it."""
    channels = {code: str(text) for code, text in CHANNEL_LABELS.items()}
    languages = {code: str(text) for code, text in LANGUAGE_LABELS.items()}
    unknown = str(UNKNOWN_LANGUAGE)
    outputs = [
        _Out(Column("response_id", "回答番号", "回答の通し番号（回答者を特定する情報ではありません）", ID),
             _field("response_id")),
        _Out(Column("submitted_date_jst", "回答日", "回答日（日本時間、時刻は含めません）", DATE, width=11),
             _field("submitted_date_jst")),
        _Out(Column("fiscal_year_wareki", "年度（和暦）", "例：令和8年度", width=11),
             _field("fiscal_year"), _wareki),
        _Out(Column("fiscal_year", "年度（西暦）", "年度（西暦、4月〜翌年3月）", YEAR),
             _field("fiscal_year")),
        _Out(Column("channel", "経路コード", "回答経路のコード（下の値の一覧を参照。demo＝デモデータ）"),
             _field("channel")),
        _Out(Column("channel_label", "経路", "回答経路", width=18), _field("channel"),
             _lookup(channels, None)),
        _Out(Column("link", "リンク", "配布用リンクの名前", width=18), _field("link")),
        _Out(Column("survey_version", "版", "回答したアンケートの版", ID), _field("survey_version")),
        _Out(Column("response_language", "回答言語コード",
                    "回答者が回答した言語のコード（空欄＝記録されていない。記録を始める前の回答など）"),
             _field("response_language")),
        _Out(Column("response_language_label", "回答言語", f"回答者が回答した言語（{unknown}＝記録されていない）",
                    width=14), _field("response_language"), _lookup(languages, unknown)),
    ]
    codebook: list[tuple[Cell, ...]] = []
    for out in outputs:
        column = out.column
        codebook.append((column.key, column.description, "fixed", None, None, None, column.title))
        if column.key == "channel":
            codebook.extend((column.key, "回答経路", "fixed", code, text, None, column.title)
                            for code, text in channels.items())
        elif column.key == "response_language":
            codebook.extend((column.key, "回答言語", "fixed", code, text, None, column.title)
                            for code, text in languages.items())
    start = len(FIXED_FIELDS)
    numbers = {question.key: index for index, question in enumerate(defn.questions)}
    for offset, raw in enumerate(raw_columns):
        question = defn.question(raw.question_key)
        number = question_number(numbers[question.key])
        text = question.text["ja"]
        for out in _question_outputs(question, raw, number, text, start + offset):
            outputs.append(out)
        codebook.extend(_question_codebook(question, raw, number, text))
    return RawExport(tuple(outputs), tuple(codebook))


def _question_outputs(question: QuestionDef, raw: RawColumn, number: str, text: str,
                      source: int) -> list[_Out]:
    if raw.option_code is not None:
        option = question.option(raw.option_code)
        return [_Out(Column(raw.key, f"{number}：{option.text['ja']}",
                            f"{text}「{option.text['ja']}」を選んだ＝1、選ばなかった＝0、設問に無回答＝空欄",
                            FLAG, width=12), source)]
    if question.type == "single":
        labels = {option.code: option.text["ja"] for option in question.options}
        return [_Out(Column(raw.key, f"{number}（コード）", f"{text}（選択肢のコード）", width=12), source),
                _Out(Column(f"{raw.key}_label", f"{number} {text}", f"{text}（選択肢の文言）", width=18),
                     source, _lookup(labels, NO_ANSWER))]
    return [_Out(Column(raw.key, f"{number} {text}",
                        f"{text}（自由記述。電話番号とメールアドレスは表示を選ばない限り伏せています）", width=50),
                 source, free_text=True)]


def _question_codebook(question: QuestionDef, raw: RawColumn, number: str,
                       text: str) -> list[tuple[Cell, ...]]:
    if raw.option_code is not None:
        option = question.option(raw.option_code)
        return [(raw.key, text, "multiple", "1",
                 f"「{option.text['ja']}」を選んだ（0＝選ばなかった、空欄＝設問に無回答）", option.kind,
                 f"{number}：{option.text['ja']}")]
    if question.type == "single":
        code_title, label_title = f"{number}（コード）", f"{number} {text}"
        rows: list[tuple[Cell, ...]] = [(raw.key, text, "single", "", NO_ANSWER, None, code_title)]
        rows.extend((raw.key, text, "single", option.code, option.text["ja"], option.kind, code_title)
                    for option in question.options)
        rows.append((f"{raw.key}_label", text, "label", None,
                     f"選択肢の文言（日本語）。無回答は「{NO_ANSWER}」", None, label_title))
        return rows
    return [(raw.key, text, question.type, None, "自由記述（そのままの文章）", None, f"{number} {text}")]
