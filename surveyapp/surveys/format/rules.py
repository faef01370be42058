"""Rules that relate several values of a definition (after each value passed its own check).

Keys and codes are unique, a key allowed only on some question types is only there, pages run
1, 2, 3 …, a KPI points at a single question and its option codes, and every offered language
is complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from .problems import Collector, KeyPath, did_you_mean, keypath, short
from .schema import CHOICE_TYPES, LANGUAGES, QUESTION, QUESTION_TYPES, STATUS_CHOICES, Field, TableList, Texts

if TYPE_CHECKING:
    from .parse import Checked


def check(c: Collector, root: Checked) -> None:
    questions = root.items("questions")
    for q in questions:
        _question(c, q)
    _unique(c, questions, "key", _("設問キー"))
    _demographics_once(c, questions)
    _pages(c, questions)
    by_key: dict[str, Checked] = {}
    for q in questions:
        by_key.setdefault(q.values.get("key", ""), q)
    kpis = root.items("kpis")
    for k in kpis:
        _kpi(c, k, by_key)
    _unique(c, kpis, "key", _("KPI キー"))
    _languages(c, root)
    _contact(c, root)


def _contact(c: Collector, root: Checked) -> None:
    """A telephone number, e-mail address or page to contact needs the name of whom it reaches."""
    contact = root.values.get("contact")
    if contact is None or contact.values.get("name"):
        return
    if any(contact.values.get(key) for key in ("phone", "email", "url")):
        c.add(contact.path + ("name",), _('問い合わせ先の名前がありません（contact.name.ja = "…" と書いてください）'))


def count_items(c: Collector, path: KeyPath, f: Field, count: int, qtype: str = "") -> None:
    """A list of tables has at least its declared number of items."""
    assert isinstance(f.type, TableList)
    least = f.type.min_items
    if count >= least:
        return
    of = _("%(type)s の設問には", type=qtype) if qtype else ""
    if count == 0:
        c.add(path, _("「%(field)s」が1つもありません（%(of)s%(least)sつ以上必要です）",
                      field=f.label, of=of, least=least))
    else:
        c.add(path, _("%(of)s「%(field)s」が%(least)sつ以上必要です（今は%(count)sつです）",
                      of=of, field=f.label, least=least, count=count))


# --------------------------------------------------------------------------- questions


def _question(c: Collector, q: Checked) -> None:
    qtype = q.values.get("type")
    if qtype not in QUESTION_TYPES:
        return  # the type's own problem is reported already
    for f in QUESTION.fields:
        if not f.only_for:
            continue
        if f.key in q.raw and qtype not in f.only_for:
            c.add(q.path + (f.key,),
                  _("「%(field)s」は %(types)s の設問にだけ書けます（この設問は %(type)s です）",
                    field=f.label, types=_("・").join(f.only_for), type=qtype))
        elif isinstance(f.type, TableList) and qtype in f.only_for:
            if f.key not in q.raw:
                c.add(q.path + (f.key,),
                      _("「%(field)s」がありません（%(type)s の設問には%(least)sつ以上必要です）",
                        field=f.label, type=qtype, least=f.type.min_items))
            elif isinstance(q.raw[f.key], list):
                count_items(c, q.path + (f.key,), f, len(q.raw[f.key]), qtype)
    if qtype in CHOICE_TYPES:
        _options(c, q)


def _options(c: Collector, q: Checked) -> None:
    options = q.items("options")
    _unique(c, options, "code", _("回答コード"))
    seen_labels: dict[str, int] = {}
    for o in options:
        label = (o.values.get("text") or {}).get("ja")
        if label is None:
            continue
        if label in seen_labels:
            c.add(o.path + ("text", "ja"),
                  _('選択肢の文 "%(text)s" が重複しています（options[%(index)s] と同じです）',
                    text=short(label), index=seen_labels[label]))
        else:
            seen_labels[label] = _index(o.path)
    for o in options:
        if o.values.get("kind") == "not_applicable" and "score" in o.raw:
            c.add(o.path + ("score",), _("not_applicable（非該当）の選択肢には得点を付けられません"))
    # All answer options have a score or none has (judged on the tables as written, so that a
    # wrongly typed score is not reported a second time as missing).
    answers = [o for o in options if o.raw.get("kind", "answer") == "answer"]
    unscored = [o for o in answers if "score" not in o.raw]
    if unscored and len(unscored) < len(answers):
        c.add(unscored[0].path + ("score",),
              _("得点がありません（回答の選択肢の1つに得点があれば、すべての回答の選択肢に得点が必要です）"))


def _index(path: KeyPath) -> int:
    last = path[-1]
    assert isinstance(last, int)
    return last


def _unique(c: Collector, tables: list[Checked], key: str, noun: str) -> None:
    seen: dict[str, int] = {}
    for t in tables:
        value = t.values.get(key)
        if not value:
            continue
        if value in seen:
            where = keypath(t.path[-2:-1] + (seen[value],))
            c.add(t.path + (key,), _('%(noun)s "%(value)s" が重複しています（%(where)s と同じです）',
                                     noun=noun, value=value, where=where))
        else:
            seen[value] = _index(t.path)


def _demographics_once(c: Collector, questions: list[Checked]) -> None:
    seen: dict[str, int] = {}
    for q in questions:
        kind = q.values.get("demographic")
        if kind is None or q.values.get("type") != "single":
            continue
        if kind in seen:
            c.add(q.path + ("demographic",),
                  _('属性 "%(kind)s" の設問は1つだけにしてください（すでに questions[%(index)s] があります）',
                    kind=kind, index=seen[kind]))
        else:
            seen[kind] = _index(q.path)


def _pages(c: Collector, questions: list[Checked]) -> None:
    """Either no question has a page or all have; pages run 1, 2, 3 … in order."""
    if not any("page" in q.raw for q in questions):
        return
    previous = 0
    for q in questions:
        path = q.path + ("page",)
        if "page" not in q.raw:
            c.add(path, _("ページ番号がありません（どれかの設問に page を書いたら、すべての設問に必要です）"))
            continue
        page = q.values.get("page")
        if page is None:  # wrong type or value, reported already
            continue
        if page < previous:
            c.add(path, _("ページ %(page)s がページ %(previous)s の後にあります。設問をページ順に並べてください",
                          page=page, previous=previous))
        elif page > previous + 1:
            c.add(path, _("ページ %(page)s の前にページ %(missing)s がありません。"
                          "ページ番号は 1, 2, 3 … と飛ばさずに付けてください", page=page, missing=previous + 1))
        previous = max(previous, page)


# --------------------------------------------------------------------------- KPIs


def _kpi(c: Collector, k: Checked, questions: Mapping[str, Checked]) -> None:
    v = k.values
    qkey = v.get("question")
    success: tuple[str, ...] = v.get("success", ())
    excluded: tuple[str, ...] = v.get("excluded", ())
    if qkey is not None:
        question = questions.get(qkey)
        if question is None:
            guess = did_you_mean(qkey, list(questions))
            c.add(k.path + ("question",),
                  _('設問キー "%(key)s" の設問がありません', key=qkey)
                  + (_("（%(guess)s）", guess=guess) if guess else ""))
        elif question.values.get("type") not in QUESTION_TYPES:
            pass  # the question's own type problem is reported already
        elif question.values["type"] != "single":
            c.add(k.path + ("question",),
                  _('設問 "%(key)s" は %(type)s の設問です。KPI には single の設問が必要です',
                    key=qkey, type=question.values["type"]))
        else:
            by_code = {o.values["code"]: o for o in question.items("options") if "code" in o.values}
            for name, codes in (("success", success), ("excluded", excluded)):
                raw_list = list(k.raw.get(name) or ())
                for code in codes:
                    path = k.path + (name, raw_list.index(code))
                    if code not in by_code:
                        guess = did_you_mean(code, list(by_code))
                        known = (_("（%(guess)s）", guess=guess) if guess
                                 else _("（ある回答コード: %(codes)s）", codes=", ".join(by_code)))
                        c.add(path, _('設問 "%(key)s" に回答コード "%(code)s" はありません%(known)s',
                                      key=qkey, code=code, known=known))
                    elif name == "success" and by_code[code].values.get("kind") == "not_applicable":
                        c.add(path, _('回答コード "%(code)s" は not_applicable（非該当）の選択肢なので、'
                                      "成功に数えられません", code=code))
    for code in success:
        if code in excluded:
            index = list(k.raw["excluded"]).index(code)
            c.add(k.path + ("excluded", index),
                  _('回答コード "%(code)s" が success と excluded の両方にあります', code=code))
    _kpi_values(c, k)


def _kpi_values(c: Collector, k: Checked) -> None:
    v: dict[str, Any] = k.values
    direction = v.get("direction")
    baseline, target = v.get("baseline_value"), v.get("target_value")
    base_year, target_year = v.get("baseline_fiscal_year"), v.get("target_fiscal_year")
    if base_year is not None and target_year is not None and target_year < base_year:
        c.add(k.path + ("target_fiscal_year",),
              _("目標年度 %(target)s が基準年度 %(base)s より前です", target=target_year, base=base_year))
    if direction == "maintain" and "target_value" not in k.raw:
        c.add(k.path + ("target_value",),
              _("必須の「目標値」がありません（direction が maintain の KPI には、維持する値が必要です）"))
    if baseline is not None and target is not None:
        if direction == "up" and target < baseline:
            c.add(k.path + ("target_value",),
                  _("目標値 %(target)s が基準値 %(baseline)s より低くなっています（direction は up です）",
                    target=f"{target:g}", baseline=f"{baseline:g}"))
        if direction == "down" and target > baseline:
            c.add(k.path + ("target_value",),
                  _("目標値 %(target)s が基準値 %(baseline)s より高くなっています（direction は down です）",
                    target=f"{target:g}", baseline=f"{baseline:g}"))
    population, baseline_n = v.get("population"), v.get("baseline_n")
    if population is not None and baseline_n is not None and baseline_n > population:
        c.add(k.path + ("baseline_n",),
              _("基準値の回答者数 %(n)s が母集団の大きさ %(population)s を超えています",
                n=baseline_n, population=population))


# --------------------------------------------------------------------------- languages


def _respondent_texts(table: Checked) -> list[tuple[KeyPath, dict[str, str]]]:
    """Every respondent-facing text of the definition, in file order."""
    found: list[tuple[KeyPath, dict[str, str]]] = []
    for f in table.table.fields:
        value = table.values.get(f.key)
        if isinstance(f.type, Texts) and f.type.respondent and value:
            found.append((table.path + (f.key,), value))
        elif isinstance(f.type, TableList):
            for item in table.items(f.key):
                found.extend(_respondent_texts(item))
    return found


def _languages(c: Collector, root: Checked) -> None:
    """Every language used is offered, and every offered language is complete."""
    raw_status = root.raw.get("translation_status", {"ja": "reviewed"})
    declared = {str(lang) for lang in raw_status} if isinstance(raw_status, Mapping) else set(LANGUAGES)
    default_language = root.values.get("default_language")
    if default_language is not None and default_language not in declared and "ja" in declared:
        c.add(("default_language",),
              _('"%(language)s" が翻訳の状態（translation_status）にありません', language=default_language))
    texts = _respondent_texts(root)
    first_use: dict[str, KeyPath] = {}
    for path, mapping in texts:
        for lang in mapping:
            first_use.setdefault(lang, path + (lang,))
    for lang, where in first_use.items():
        if lang not in declared and lang != "ja":
            c.add(("translation_status", lang),
                  _('言語 "%(language)s" が使われていますが（最初は %(where)s）、翻訳の状態にありません。'
                    "%(language)s を %(choices)sのどちらかで加えてください",
                    language=lang, where=keypath(where), choices=STATUS_CHOICES.listing()))
    for lang in root.values.get("translation_status", {}):
        if lang == "ja":
            continue  # a missing Japanese text is reported at the text already
        for path, mapping in texts:
            if lang not in mapping:
                c.add(path + (lang,),
                      _('"%(language)s" の文がありません（翻訳の状態に %(language)s があるので、すべての文に必要です）',
                        language=lang))
