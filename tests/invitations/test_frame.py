"""The uploaded sampling frame: encodings, the columns used, and clear messages for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp.invitations.frame import FrameError, parse_frame

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "frame-example.csv"


def _problems(data: bytes, by: list[str] | None = None) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(FrameError) as caught:
        parse_frame(data, by)
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def test_the_example_frame() -> None:
    frame = parse_frame(EXAMPLE.read_bytes(), ["age_band", "gender"])
    assert frame.rows == 3000 and len(frame.strata) == 12
    assert sum(frame.sizes()) == 3000
    assert frame.columns == ("age_band", "gender")
    everything = parse_frame(EXAMPLE.read_bytes())
    assert everything.columns == ("age_band", "gender", "area") and len(everything.strata) == 72


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_utf8_with_or_without_bom_and_cp932(encoding: str) -> None:
    text = "frame_id,年齢区分,性別\r\nA1,18〜29歳,女性\r\nA2,30〜39歳,男性\r\nA3,18〜29歳,女性\r\n"
    frame = parse_frame(text.encode(encoding))
    assert frame.columns == ("年齢区分", "性別")
    assert frame.strata[("18~29歳", "女性")] == ["A1", "A3"]
    assert frame.encoding == ("cp932" if encoding == "cp932" else "utf-8")


def test_same_content_same_digest_whatever_the_row_order() -> None:
    a = parse_frame(b"frame_id,g\nA,x\nB,y\n")
    b = parse_frame(b"frame_id,g\r\nB,y\r\nA,x\r\n")
    c = parse_frame(b"frame_id,g\nA,x\nB,x\n")
    assert a.digest == b.digest != c.digest


def test_names_and_addresses_are_refused() -> None:
    for header in ("frame_id,氏名,age", "frame_id,age,住所", "frame_id,Name,age", "frame_id,email,age",
                   "frame_id,birth_date,age"):
        problems = _problems(f"{header}\nA,x,y\n".encode())
        assert len(problems) == 1 and problems[0][0] == 1
        assert "個人を特定できる情報" in problems[0][2] and "保存していません" in problems[0][2]


def test_problems_name_row_and_column() -> None:
    data = b"frame_id,age_band,gender\nA1,18_29,male\nA1,30_39,female\nA3,,male\n,40_49,male\n"
    problems = _problems(data)
    assert (3, "frame_id", "「A1」は2行目と同じ frame_id です（重複）。") in problems
    assert (4, "age_band", "値が空です。") in problems
    assert (5, "frame_id", "値が空です。") in problems


def test_missing_columns() -> None:
    assert _problems(b"id,age\n1,x\n")[0][1] == "frame_id"
    problem = _problems(b"frame_id,age\n1,x\n", ["gender"])[0]
    assert problem[:2] == (1, "gender") and "ある列：frame_id, age" in problem[2]
    assert "空です" in _problems(b"")[0][2]
    assert "データの行がありません" in _problems(b"frame_id,age\n")[0][2]


def test_unreadable_bytes() -> None:
    assert "文字コード" in _problems(b"frame_id,age\n\x80\x81\xff,x\n")[0][2]


def test_too_many_strata_asks_for_coarser_columns() -> None:
    rows = "".join(f"A{i},{i}\n" for i in range(300))
    assert "粗い区分" in _problems(f"frame_id,age\n{rows}".encode())[0][2]
