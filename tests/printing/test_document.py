"""The document model, the templates' content and Chinese line breaking (no printer)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers import Document, DocumentError, samples, templates
from printers.wrap import NO_LINE_END, NO_LINE_START, columns, wrap

HALL = samples.HALL


def every_template() -> dict[str, Document]:
    return {
        "ticket": samples.ticket(priority_label="老年人"),
        "receipt": samples.receipt(),
        "checklist": templates.one_time_checklist(
            hall_name=HALL,
            service_name="社会救助",
            handling="承诺件：5 个工作日内办结",
            materials=[("居民身份证", "original_and_copy", 2, "")],
            steps=["提交材料", "审核"],
            windows="1号窗口",
            consultation_phone="0724-4221000",
            supervision_phone="0724-4229999",
        ),
        "notice": templates.notice(
            hall_name=HALL, title="公告", body="第一段。\n第二段。", published_on="2026年11月24日"
        ),
        "service_card": samples.service_card(),
        "test_page": templates.test_page(printer_name="取号机", dot_width=384, mode="text"),
    }


@pytest.mark.parametrize("name", list(every_template()))
def test_every_template_survives_the_spool_as_json(name):
    document = every_template()[name]
    stored = json.loads(json.dumps(document.to_dict()))  # what the database column holds
    assert Document.from_dict(stored) == document
    assert Document.from_json(document.to_json()) == document
    assert document.blocks[-1].kind == "cut"


def test_ticket_carries_number_priority_and_status_url():
    ticket = every_template()["ticket"]
    assert [b.text for b in ticket.blocks if b.kind == "big"] == ["E012"]
    assert any(b.text == "优先：老年人" for b in ticket.blocks)
    assert [b.value for b in ticket.blocks if b.kind == "qr"] == ["http://hall/t/abc"]
    assert ("前面等候", "3 人") in [(b.text, b.value) for b in ticket.blocks if b.kind == "row"]


def test_receipt_masks_the_residents_name():
    rows = {b.text: b.value for b in every_template()["receipt"].blocks if b.kind == "row"}
    assert rows["申请人"] == "张*丰"
    assert rows["承诺办结"] == "2026-12-01"


def test_checklist_lists_form_and_copies():
    lines = [b.text for b in every_template()["checklist"].blocks if b.kind == "text"]
    assert "□ 1. 居民身份证（原件及复印件 2 份）" in lines
    assert "2. 审核" in lines


def test_notice_keeps_paragraphs_indented():
    texts = [b.text for b in every_template()["notice"].blocks if b.kind == "text"]
    assert "　　第一段。" in texts and "　　第二段。" in texts


@pytest.mark.parametrize(
    "name, masked",
    [("张三", "张*"), ("王秀英", "王*英"), ("欧阳娜娜", "欧**娜"), ("张*", "张*"), ("李", "李")],
)
def test_mask_name(name, masked):
    assert templates.mask_name(name) == masked


def test_mecard_escapes_reserved_characters():
    assert templates.mecard("王;五", "138", "a:b") == "MECARD:N:王\\;五;TEL:138;NOTE:a\\:b;;"


@pytest.mark.parametrize(
    "data",
    [
        '{"blocks": [{"kind": "poster"}]}',
        '{"blocks": [{"kind": "text", "colour": "red"}]}',
        '{"blocks": [{"kind": "text", "align": "middle"}]}',
        '{"blocks": "text"}',
        "[1, 2]",
        "not json",
    ],
)
def test_broken_documents_are_refused(data):
    with pytest.raises(DocumentError):
        Document.from_json(data)


def test_barcode_is_ascii_only():
    with pytest.raises(DocumentError):
        Document().barcode("号码123")


# --- line breaking --------------------------------------------------------------------------


def test_closing_punctuation_never_starts_a_line():
    lines = wrap("请携带身份证原件，以及户口簿。", 16)
    assert lines == ["请携带身份证原", "件，以及户口簿。"]


def test_opening_punctuation_never_ends_a_line():
    lines = wrap("依据社会救助暂行《办法》办理", 14)
    assert not any(line.endswith("《") for line in lines)
    assert "".join(lines) == "依据社会救助暂行《办法》办理"


def test_latin_words_are_not_broken_but_cjk_may_be():
    assert wrap("Please bring ID card 身份证", 12) == ["Please bring", "ID card 身份", "证"]
    assert wrap("电话0724-4229999", 12) == ["电话", "0724-4229999"]


def test_a_word_longer_than_the_line_is_broken():
    assert wrap("http://192.168.1.10/notices", 10) == ["http://192", ".168.1.10/", "notices"]


def test_newlines_and_empty_text():
    assert wrap("", 10) == [""]
    assert wrap("甲\n\n乙", 10) == ["甲", "", "乙"]


def test_a_measure_in_dots_is_used_as_given():
    assert wrap("一二三四五", 60, lambda text: 26 * len(text)) == ["一二", "三四", "五"]


TEXT = st.text(
    alphabet=st.sampled_from(list("社会救助户籍管理请到窗口办理ABCDEFabc0123 ，。、：《》（）")),
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, width=st.integers(min_value=6, max_value=48))
def test_wrapping_keeps_every_character_within_the_width(text, width):
    lines = wrap(text, width)
    assert all(columns(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


CJK_TEXT = st.text(
    alphabet=st.sampled_from(list("社会救助户籍管理请到窗口，。、：《》（）")), max_size=120
)
PUNCTUATION = NO_LINE_START | NO_LINE_END


@settings(max_examples=300, deadline=None)
@given(text=CJK_TEXT, width=st.integers(min_value=8, max_value=48))
def test_punctuation_rules_hold_unless_a_line_is_all_punctuation(text, width):
    lines = wrap(text, width)
    for previous, line in zip(lines, lines[1:], strict=False):
        # Pieces move down only while the previous line keeps a character and the moved
        # run fits: only runs of punctuation can defeat that.
        if line[:1] in NO_LINE_START or previous[-1:] in NO_LINE_END:
            around = previous[-2:] + line[:2]
            assert len(previous) == 1 or sum(ch in PUNCTUATION for ch in around) >= 3
