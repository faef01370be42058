"""Response rates as table rows (CSV and XLSX) and the definitions printed beside them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..results.response_rates import Dispositions, WaveRates
from .cells import Cell
from .xlsx import Sheet

RATE_NOTES = (
    "RR1（AAPOR 回答率1）＝ 回答済み ÷ 案内数。回答済みはウェブと紙の回答（1つのコードは1回だけ数えます）。",
    "RR2（AAPOR 回答率2）＝（回答済み＋回答途中）÷ 案内数。回答途中は、ウェブでコードを使って回答を始め、"
    "送信していないもの。",
    "宛先不明で返送された案内状は、AAPOR の定義（氏名を特定した郵送調査）では「対象かどうか不明」として"
    "分母に残します。",
    "到達ベース＝ 宛先不明を分母から除いた率（宛先不明の人は転出などで対象外とみなす場合。AAPOR RR3・RR4 で"
    "その分の対象率を0とした値）。",
)
KIND_LABELS = {"draw": "名簿から抽出", "codes": "コードのみ", "reminder": "督促"}
HEADER = ["発送", "種類", "発送日", "層", "抽出枠の人数", "案内数", "宛先不明", "回答（ウェブ）", "回答（紙）",
          "回答途中", "未回答", "RR1", "RR2", "RR1（到達ベース）", "RR2（到達ベース）"]
RATE_COLUMNS = (11, 12, 13, 14)


def _row(wave: WaveRates, stratum: str, frame: int | None, counts: Dispositions) -> list[Cell]:
    rates = counts.rates
    return [wave.label, KIND_LABELS.get(wave.kind, wave.kind), wave.sent_on.isoformat() if wave.sent_on else "",
            stratum, frame, counts.invited, counts.undelivered, counts.web, counts.paper, counts.partial,
            rates.no_answer, rates.rr1, rates.rr2, rates.rr1_delivered, rates.rr2_delivered]


def rate_rows(waves: Sequence[WaveRates]) -> Iterator[list[Cell]]:
    """One row per wave (層 = 全体) and one per stratum of a stratified wave."""
    for wave in waves:
        if wave.kind == "reminder":
            yield [wave.label, KIND_LABELS["reminder"], wave.sent_on.isoformat() if wave.sent_on else "",
                   f"{wave.parent_label or ''} の督促（{wave.reminded or 0}通、発送日以降の回答 "
                   f"{wave.responses_since if wave.responses_since is not None else '—'}件）",
                   None, None, None, None, None, None, None, None, None, None, None]
            continue
        frame = sum(s.frame_count or 0 for s in wave.strata) if wave.kind == "draw" else None
        yield _row(wave, "全体", frame, wave.counts)
        if wave.columns:
            for stratum in wave.strata:
                yield _row(wave, stratum.label, stratum.frame_count, stratum.counts)


def rate_sheets(waves: Sequence[WaveRates]) -> list[Sheet]:
    rates = Sheet(title="回収率", header=HEADER, rows=rate_rows(waves),
                  formats={i: "0.0%" for i in RATE_COLUMNS}, widths={0: 16, 3: 24})
    notes = Sheet(title="定義", header=["定義"], rows=[[note] for note in RATE_NOTES], widths={0: 120})
    return [rates, notes]
