"""Names shown to people for the codes stored in the database (Chinese, marked for
translation). One place, so the kiosk, the board and the admin pages say the same thing."""

from __future__ import annotations

from .errors import N_

PRIORITY_LABELS = {
    "elderly": N_("老年人"),
    "disabled": N_("残疾人"),
    "pregnant": N_("孕妇"),
    "military": N_("军人"),
    "appointment": N_("预约"),
}
NOTICE_CATEGORIES = {
    "party": N_("党务公开"),
    "residence": N_("居务公开"),
    "finance": N_("财务公开"),
    "service": N_("服务公开"),
    "policy": N_("惠民政策"),
    "integrity": N_("廉政教育"),
    "deliberation": N_("议政"),
}


def notice_category(code: str) -> str:
    return NOTICE_CATEGORIES.get(code, code)


def priority_label(code: str) -> str:
    return PRIORITY_LABELS.get(code, code)


PRINTER_STATES = {
    "ok": N_("正常"),
    "paper_out": N_("缺纸"),
    "paper_low": N_("纸将用完"),
    "cover_open": N_("纸仓盖打开"),
    "offline": N_("离线"),
    "unknown": N_("未知"),
}
JOB_STATUSES = {
    "pending": N_("等待打印"),
    "printing": N_("打印中"),
    "printed": N_("已打印"),
    "failed": N_("失败"),
    "cancelled": N_("已取消"),
    "expired": N_("已过期未打印"),
}


def printer_state(code: str) -> str:
    return PRINTER_STATES.get(code, code)


def job_status(code: str) -> str:
    return JOB_STATUSES.get(code, code)
