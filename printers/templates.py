"""Templates: the documents the hall prints, built from plain values (strings, numbers,
tuples; never ORM objects): queue ticket, acceptance receipt (受理回执), one-time checklist
(一次性告知单), notice (公告), service card (便民服务卡) and the test page. Texts are
Chinese, the language of the paper residents take home.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .document import Document

FORM_LABELS = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件"}


def mask_name(name: str) -> str:
    """A resident's name as printed on paper that may be lost: 张三 → 张*, 王秀英 → 王*英,
    欧阳娜娜 → 欧**娜. Already masked names stay as they are."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def queue_ticket(
    *,
    hall_name: str,
    service_name: str,
    number: str,
    people_ahead: int | None,
    issued_at: str,
    status_url: str,
    windows: str = "",
    priority_label: str = "",
    wait_minutes: int | None = None,
    check_code: str = "",
    note: str = "请留意叫号屏幕和语音提示，过号可凭号码和核验码在取号机重新排队或到窗口说明",
) -> Document:
    """The queue slip. `people_ahead=None`: no window serves the service now (say so)."""
    doc = Document(name=f"ticket {number}")
    doc.title(hall_name).rule().text(service_name, align="center", bold=True).big(number)
    if priority_label:
        doc.text(f"优先：{priority_label}", align="center", bold=True)
    if people_ahead is None:
        doc.text("该业务暂无窗口办理，请咨询工作人员", align="center", bold=True)
    else:
        doc.row("前面等候", f"{people_ahead} 人")
        if wait_minutes is not None:
            doc.row("预计等候", f"约 {wait_minutes} 分钟")
    if windows:
        doc.row("办理窗口", windows)
    doc.row("取号时间", issued_at)
    if check_code:
        doc.row("核验码", check_code)
    doc.qr(status_url, caption="手机扫码查看排队进度").text(note, align="center").cut()
    return doc


def acceptance_receipt(
    *,
    hall_name: str,
    case_number: str,
    resident_name: str,
    service_name: str,
    accepted_by: str,
    accepted_on: str,
    deadline: str,
    tracking_url: str,
    subject: str = "",
    supervision_phone: str = "",
    lookup_code: str = "",
    agent: str = "",
    agent_phone: str = "",
    missing_materials: Sequence[str] = (),
    title: str = "受理回执",
) -> Document:
    """受理回执: what the resident takes home when a matter is accepted but not finished on the
    spot: the lookup code to type at the kiosk, the agent, the deadline, the materials still
    missing as a one-time checklist, and a QR code to the case's status page. The name is
    masked on paper."""
    doc = Document(name=f"receipt {case_number}")
    doc.title(hall_name).text(title, align="center", bold=True).rule()
    doc.row("受理编号", case_number)
    if lookup_code:
        doc.row("查询码", lookup_code)
    if resident_name:
        doc.row("申请人", mask_name(resident_name))
    doc.row("事项", service_name)
    if subject and subject != service_name:
        doc.text(f"内容：{subject}")
    doc.row("受理人", accepted_by)
    if agent:
        doc.row("承办人", agent)
    if agent_phone:
        doc.row("联系电话", agent_phone)
    doc.row("受理日期", accepted_on).row("承诺办结", deadline)
    if missing_materials:
        doc.rule().text("尚需补交材料（一次性告知，请逐项打勾）：", bold=True)
        for index, name in enumerate(missing_materials, start=1):
            doc.text(f"□ {index}. {name}")
        doc.rule()
    doc.qr(tracking_url, caption="扫码查询办理进度")
    doc.text("请妥善保管本回执，凭查询码在取号机或手机查询办理进度", align="center")
    if supervision_phone:
        doc.text(f"监督电话：{supervision_phone}", align="center")
    return doc.cut()


def one_time_checklist(
    *,
    hall_name: str,
    service_name: str,
    handling: str,
    materials: Iterable[tuple[str, str, int, str]],
    steps: Sequence[str],
    windows: str,
    consultation_phone: str,
    supervision_phone: str,
    fees: str = "",
    guide_url: str = "",
) -> Document:
    """一次性告知单: everything a resident needs in one go.

    materials: (name, form, copies, note) tuples.
    """
    doc = Document(name=f"checklist {service_name}")
    doc.title(hall_name).text("一次性告知单", align="center", bold=True).rule()
    doc.text(f"事项：{service_name}", bold=True).row("办理方式", handling)
    if fees:
        doc.row("收费", fees)
    doc.row("办理窗口", windows).rule().text("所需材料（请逐项打勾）：", bold=True)
    for index, (name, form, copies, note) in enumerate(materials, start=1):
        line = f"□ {index}. {name}（{FORM_LABELS.get(form, form)} {copies} 份）"
        doc.text(line + (f" {note}" if note else ""))
    doc.rule().text("办理流程：", bold=True)
    for index, step in enumerate(steps, start=1):
        doc.text(f"{index}. {step}")
    doc.rule().row("咨询电话", consultation_phone).row("监督电话", supervision_phone)
    if guide_url:
        doc.qr(guide_url, caption="扫码查看办事指南")
    return doc.cut()


def notice(*, hall_name: str, title: str, body: str, published_on: str, url: str = "") -> Document:
    doc = Document(name=f"notice {title[:20]}")
    doc.title(hall_name).text("公  告", align="center", bold=True).rule()
    doc.text(title, align="center", bold=True)
    for paragraph in body.splitlines():
        if paragraph.strip():
            doc.text("　　" + paragraph.strip())
    doc.text(published_on, align="right")
    if url:
        doc.qr(url, caption="扫码阅读全文")
    return doc.cut()


def mecard(name: str, phone: str, note: str = "", org: str = "") -> str:
    """A MECARD contact a phone camera saves directly, with no network."""

    def escape(value: str) -> str:
        for char in ("\\", ";", ",", ":", '"'):
            value = value.replace(char, "\\" + char)
        return value

    fields = [f"N:{escape(name)}", f"TEL:{escape(phone)}"]
    if org:
        fields.append(f"ORG:{escape(org)}")
    if note:
        fields.append(f"NOTE:{escape(note)}")
    return "MECARD:" + ";".join(fields) + ";;"


def service_card(
    *,
    hall_name: str,
    name: str,
    post: str,
    window: str,
    phone: str,
    supervision_phone: str,
) -> Document:
    doc = Document(name=f"card {name}")
    doc.title(hall_name).text("便民服务卡", align="center", bold=True).rule()
    doc.row("姓名", name).row("岗位", post).row("窗口", window).row("电话", phone)
    doc.row("监督电话", supervision_phone)
    doc.qr(mecard(name, phone, f"{post} {window}", hall_name), caption="扫码保存联系人")
    return doc.cut()


def test_page(*, printer_name: str, dot_width: int, mode: str) -> Document:
    doc = Document(name="test page")
    doc.title("打印测试页").rule().row("打印机", printer_name).row("纸宽点数", str(dot_width))
    doc.row("模式", "图像" if mode == "raster" else "文本")
    doc.text("中文字样：社会救助 计划生育 土管城建 劳动保障 户籍管理 党建联络")
    doc.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789")
    doc.big("A001").qr("TEST-PAGE-OK", caption="二维码测试").barcode("1234567890")
    return doc.cut()
