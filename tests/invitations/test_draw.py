"""Drawing a wave from a frame (service and ``flask invitations``): reproducible, allocated as
specified, frame rows not stored, mail-merge file with code and url."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.invitations.codes import parse_code
from surveyapp.invitations.frame import parse_frame
from surveyapp.invitations.models import Invitation, InvitationStratum, InvitationWave
from surveyapp.invitations.waves import DrawPlan, create_drawn_wave
from surveyapp.stats.sampling import allocate_proportional
from surveyapp.surveys.services import get_survey

from .test_frame import EXAMPLE

BASE = "https://enquete.example.jp"


def _draw(app: Flask, label: str, seed: str, n: int = 600, allocation: str = "proportional") -> Any:
    frame = parse_frame(EXAMPLE.read_bytes(), ["age_band", "gender"])
    with app.app_context():
        created = create_drawn_wave(get_survey("digital-services"), label=label, frame=frame,
                                    plan=DrawPlan(n=n, allocation=allocation, seed=seed))
        strata = {tuple(s.cells.values()): (s.frame_count, s.invited) for s in created.wave.strata}
        return {i.frame_id for i in created.invitations}, strata, created.wave.seed


def test_same_frame_and_seed_same_sample_other_seed_other_sample(app: Flask) -> None:
    first, strata, seed = _draw(app, "第1回", "424242")
    again, _strata, _seed = _draw(app, "第1回（再現）", "424242")
    other, _strata, _seed = _draw(app, "別のシード", "424243")
    assert seed == "424242"
    assert len(first) == 600 and first == again
    assert other != first and len(other) == 600


def test_allocation_per_stratum_is_the_largest_remainder_of_the_frame_counts(app: Flask) -> None:
    _ids, strata, _seed = _draw(app, "比例", "1")
    counts: dict[tuple[str, str], int] = {}
    with EXAMPLE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (row["age_band"], row["gender"])
            counts[key] = counts.get(key, 0) + 1
    keys = sorted(counts)
    expected = dict(zip(keys, allocate_proportional([counts[k] for k in keys], 600), strict=True))
    assert {k: v[0] for k, v in strata.items()} == counts  # the frame's counts are kept
    assert {k: v[1] for k, v in strata.items()} == expected
    assert sum(expected.values()) == 600
    for key, n in expected.items():  # within one of the exact quota
        assert abs(n - 600 * counts[key] / 3000) < 1


def test_fixed_allocation(app: Flask) -> None:
    ids, strata, _seed = _draw(app, "各層同数", "9", n=30, allocation="fixed")
    assert len(ids) == 360 and {v[1] for v in strata.values()} == {30}


def test_a_random_seed_is_made_and_stored_when_none_is_given(app: Flask) -> None:
    frame = parse_frame(EXAMPLE.read_bytes(), ["gender"])
    with app.app_context():
        created = create_drawn_wave(get_survey("digital-services"), label="無指定", frame=frame,
                                    plan=DrawPlan(n=10))
        assert created.wave.seed and created.wave.seed.isdigit()


def test_frame_ids_are_not_stored(app: Flask) -> None:
    ids, _strata, _seed = _draw(app, "保存確認", "5", n=50)
    with app.app_context():
        stored = []
        for table in ("invitations", "invitation_strata", "invitation_waves", "audit_log"):
            stored += [str(v) for row in db.session.execute(sa.text(f"SELECT * FROM {table}")) for v in row]  # noqa: S608
        text = "\n".join(stored)
    assert not any(frame_id in text for frame_id in ids)


def test_cli_draw_writes_the_mail_merge_csv(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "merge.csv"
    args = ["invitations", "draw", "digital-services", "--wave", "第1回発送", "--frame", str(EXAMPLE),
            "--n", "600", "--by", "age_band,gender", "--seed", "20260401", "--out", str(out),
            "--base-url", BASE]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "seed: 20260401" in result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 600
    assert list(rows[0]) == ["serial", "frame_id", "code", "url", "age_band", "gender"]
    assert sorted(int(r["serial"]) for r in rows) == list(range(1, 601))
    for row in rows[:20]:
        parse_code(row["code"])
        assert row["url"] == f"{BASE}/i/{row['code']}"
    # Same frame and seed again: the same residents (with new codes).
    again = tmp_path / "again.csv"
    args[4], args[-3] = "再抽出", str(again)
    assert app.test_cli_runner().invoke(args=args).exit_code == 0
    rows_again = list(csv.DictReader(io.StringIO(again.read_text(encoding="utf-8-sig"))))
    assert {r["frame_id"] for r in rows} == {r["frame_id"] for r in rows_again}
    assert not {r["code"] for r in rows} & {r["code"] for r in rows_again}
    # Never overwrites a file of codes.
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0 and "exists" in result.output


def test_cli_create_codes_only_as_xlsx(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "codes.xlsx"
    result = app.test_cli_runner().invoke(args=[
        "invitations", "create", "digital-services", "--wave", "抽出済みの名簿", "--count", "25",
        "--out", str(out), "--base-url", BASE])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("serial", "code", "url") and len(rows) == 26
    with app.app_context():
        wave = db.session.scalar(sa.select(InvitationWave).where(InvitationWave.label == "抽出済みの名簿"))
        assert wave is not None and wave.kind == "codes" and wave.invited == 25
        assert db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(Invitation.wave_id == wave.id)) == 25
        assert db.session.scalar(sa.select(InvitationStratum.frame_count).where(
            InvitationStratum.wave_id == wave.id)) is None


def test_cli_reports_frame_problems_and_needs_a_base_url(app: Flask, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("frame_id,氏名\nA,各務 太郎\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=[
        "invitations", "draw", "digital-services", "--wave", "x", "--frame", str(bad), "--n", "1",
        "--out", str(tmp_path / "o.csv"), "--base-url", BASE])
    assert result.exit_code != 0 and "1行目「氏名」列" in result.output
    assert not (tmp_path / "o.csv").exists()
    result = app.test_cli_runner().invoke(args=[
        "invitations", "create", "digital-services", "--wave", "x", "--count", "1", "--out",
        str(tmp_path / "p.csv")])
    assert result.exit_code != 0 and "BASE_URL" in result.output
