"""Response rates as table rows (CSV and XLSX) and the definitions printed beside them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..results.response_rates import Dispositions, WaveRates
from .cells import Cell
from .xlsx import Sheet

RATE_NOTES = (
    _l("RR1（AAPOR 回答率1）＝ 回答済み ÷ 案内数。回答済みはウェブと紙の回答（1つのコードは1回だけ数えます）。"),
    _l("RR2（AAPOR 回答率2）＝（回答済み＋回答途中）÷ 案内数。回答途中は、ウェブでコードを使って回答を始め、"
        "送信していないもの。"),
    _l("宛先不明で返送された案内状は、AAPOR の定義（氏名を特定した郵送調査）では「対象かどうか不明」として"
        "分母に残します。"),
    _l("到達ベース＝ 宛先不明を分母から除いた率（宛先不明の人は転出などで対象外とみなす場合。AAPOR RR3・RR4 で"
        "その分の対象率を0とした値）。"),
)
KIND_LABELS = {"draw": _l("名簿から抽出"), "codes": _l("コードのみ"), "reminder": _l("督促")}
RATE_COLUMNS = (11, 12, 13, 14)


def rate_header() -> list[str]:
    """The headings of the response-rate table (CSV and XLSX)."""
    return [_("発送"), _("種類"), _("発送日"), _("層"), _("抽出枠の人数"), _("案内数"), _("宛先不明"),
            _("回答（ウェブ）"), _("回答（紙）"), _("回答途中"), _("未回答"), "RR1", "RR2", _("RR1（到達ベース）"),
            _("RR2（到達ベース）")]


def _kind(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def _row(wave: WaveRates, stratum: str, frame: int | None, counts: Dispositions) -> list[Cell]:
    rates = counts.rates
    return [wave.label, _kind(wave.kind), wave.sent_on.isoformat() if wave.sent_on else "",
            stratum, frame, counts.invited, counts.undelivered, counts.web, counts.paper, counts.partial,
            rates.no_answer, rates.rr1, rates.rr2, rates.rr1_delivered, rates.rr2_delivered]


def rate_rows(waves: Sequence[WaveRates]) -> Iterator[list[Cell]]:
    """One row per wave (層 = 全体) and one per stratum of a stratified wave."""
    everyone = _("全体")
    for wave in waves:
        if wave.kind == "reminder":
            yield [wave.label, _kind("reminder"), wave.sent_on.isoformat() if wave.sent_on else "",
                   _("%(parent)s の督促（%(letters)s通、発送日以降の回答 %(responses)s件）",
                     parent=wave.parent_label or "", letters=wave.reminded or 0,
                     responses=wave.responses_since if wave.responses_since is not None else "—"),
                   None, None, None, None, None, None, None, None, None, None, None]
            continue
        frame = sum(s.frame_count or 0 for s in wave.strata) if wave.kind == "draw" else None
        yield _row(wave, everyone, frame, wave.counts)
        if wave.columns:
            for stratum in wave.strata:
                yield _row(wave, stratum.label, stratum.frame_count, stratum.counts)


def rate_sheets(waves: Sequence[WaveRates]) -> list[Sheet]:
    rates = Sheet(title=_("回収率"), header=rate_header(), rows=rate_rows(waves),
                  formats={i: "0.0%" for i in RATE_COLUMNS}, widths={0: 16, 3: 24})
    definitions = _("定義")
    notes = Sheet(title=definitions, header=[definitions], rows=[[str(note)] for note in RATE_NOTES],
                  widths={0: 120})
    return [rates, notes]
