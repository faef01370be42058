"""The comments page: grouped by question, keyword search, the KPI answer beside each comment,
phone numbers and e-mail addresses hidden on screen and in downloads unless an analyst reveals
them, and every reveal in the audit log."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import openpyxl
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.audit import AuditEntry
from surveyapp.extensions import db
from tests.conftest import login
from tests.results.factories import add_responses

PAGE = "/staff/surveys/counter/comments"
QUESTION = "窓口の対応や待ち時間について、お気づきの点がありましたら、ご自由にお書きください。"
PRIVATE = "折り返し０９０－１２３４－５６７８か taro@example.jp へ連絡ください"


def _load(app: Flask) -> FlaskClient:
    add_responses(app, "counter", [
        {"counter_satisfaction": "dissatisfied", "comment": "バスの本数が少ない。窓口は混んでいた"},
        {"counter_satisfaction": "somewhat_satisfied", "comment": "ＬＩＮＥで予約できて便利"},
        {"counter_satisfaction": "satisfied", "comment": "LINEの通知が届かない"},
        {"counter_satisfaction": "satisfied", "comment": "バスで来ました"},
    ])
    add_responses(app, "counter", [{"counter_satisfaction": "somewhat_dissatisfied", "comment": PRIVATE}],
                  when=datetime(2026, 7, 1, 9, 0))
    client = app.test_client()
    login(client, app, "analyst")
    return client


def _items(html: str) -> list[str]:
    return re.findall(r'<li class="comment">(.*?)</li>', html, re.S)


def _audit(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_comments_are_grouped_by_question_with_the_kpi_answer_beside_each(app: Flask) -> None:
    client = _load(app)
    html = client.get(PAGE).get_data(as_text=True)
    assert html.count(QUESTION) == 1 and "（5件）" in html  # the question once, as the group heading
    items = _items(html)
    assert len(items) == 5
    assert all("ウェブ（公開リンク）" not in item for item in items)  # one channel: not repeated
    first = items[0]  # newest first
    assert "2026年7月1日" in first and "やや不満" in first and "KPIの設問への回答：" in first
    bus = next(item for item in items if "バスの本数" in item)
    assert "不満" in bus and "kpi-answer-success" not in bus
    assert "kpi-answer-success" in next(item for item in items if "LINEの通知" in item)


def test_keyword_search_finds_all_words_in_either_width(app: Flask) -> None:
    client = _load(app)
    line = client.get(f"{PAGE}?q=LINE").get_data(as_text=True)
    assert len(_items(line)) == 2 and "<mark>LINE</mark>の通知" in line
    assert "<mark>ＬＩＮＥ</mark>で予約" in line
    both = client.get(f"{PAGE}?q=バス%E3%80%80窓口").get_data(as_text=True)  # ideographic space
    assert len(_items(both)) == 1 and "<mark>バス</mark>の本数" in both and "（「バス」「窓口」を含む）" in both
    none = client.get(f"{PAGE}?q=存在しない言葉").get_data(as_text=True)
    assert "この条件の自由記述はありません。" in none
    wildcard = client.get(f"{PAGE}?q=%25").get_data(as_text=True)  # a LIKE wildcard is searched as text
    assert "この条件の自由記述はありません。" in wildcard
    too_long = client.get(f"{PAGE}?q={'あ' * 101}")
    assert too_long.status_code == 400
    assert "キーワードは100文字以内で入力してください。" in too_long.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/surveys/counter/comments.csv?q=バス")
                                           .get_data().decode("utf-8-sig"))))
    assert sorted(r["text"] for r in rows) == ["バスで来ました", "バスの本数が少ない。窓口は混んでいた"]


def test_contacts_are_hidden_on_screen_and_in_downloads_by_default(app: Flask) -> None:
    client = _load(app)
    html = client.get(PAGE).get_data(as_text=True)
    assert "０９０－１２３４－５６７８" not in html and "taro@example.jp" not in html
    assert "折り返し" in html and "［電話番号］" in html and "［メールアドレス］" in html
    assert "このページでは2件を伏せています。" in html
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/surveys/counter/comments.csv")
                                           .get_data().decode("utf-8-sig"))))
    private = next(r for r in rows if r["text"].startswith("折り返し"))
    assert private["text"] == "折り返し［電話番号］か ［メールアドレス］ へ連絡ください" and private["masked"] == "2"
    assert private["counter_satisfaction"] == "somewhat_dissatisfied"
    assert private["counter_satisfaction_label"] == "やや不満"
    book = openpyxl.load_workbook(io.BytesIO(client.get("/staff/surveys/counter/comments.xlsx").get_data()))
    texts = [row[-2] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "折り返し［電話番号］か ［メールアドレス］ へ連絡ください" in texts
    raw = client.get("/staff/surveys/counter/responses.csv").get_data().decode("utf-8-sig")
    assert "taro@example.jp" not in raw and "折り返し［電話番号］か ［メールアドレス］" in raw
    assert not _audit(app, "comments.reveal")


def test_an_analyst_can_reveal_and_each_reveal_is_audited(app: Flask) -> None:
    client = _load(app)
    html = client.get(f"{PAGE}?reveal=1").get_data(as_text=True)
    assert "０９０－１２３４－５６７８" in html and "taro@example.jp" in html
    assert "電話番号とメールアドレスを表示しています。" in html
    entries = _audit(app, "comments.reveal")
    assert len(entries) == 1 and entries[0].target == "counter" and entries[0].user_id is not None
    assert f'href="{PAGE}?page=1"' in html  # the way back to the hidden view
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/surveys/counter/comments.csv?reveal=1")
                                           .get_data().decode("utf-8-sig"))))
    assert PRIVATE in [r["text"] for r in rows]
    assert PRIVATE in client.get("/staff/surveys/counter/responses.csv?reveal=1").get_data().decode("utf-8-sig")
    downloads = _audit(app, "download.comments_csv") + _audit(app, "download.responses_csv")
    assert sorted(e.detail["revealed"] for e in downloads) == [True, True]
    assert client.get(f"{PAGE}?reveal=yes").status_code == 400


def test_who_may_reveal(app: Flask) -> None:
    _load(app)
    admin = app.test_client()
    login(admin, app, "admin")
    assert admin.get(f"{PAGE}?reveal=1").status_code == 200
    for role in ("course-staff", "data-entry"):
        other = app.test_client()
        login(other, app, role)
        assert other.get(f"{PAGE}?reveal=1").status_code == 403
        assert other.get("/staff/surveys/counter/comments.csv?reveal=1").status_code == 403
    assert len(_audit(app, "comments.reveal")) == 1
