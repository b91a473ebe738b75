"""Names shown to people for the codes stored in the database (Chinese, marked for
translation). One place, so the kiosk, the board and the admin pages say the same thing."""

from __future__ import annotations

from .errors import N_
from .words import JobStatus

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
    JobStatus.PENDING: N_("等待打印"),
    JobStatus.PRINTING: N_("打印中"),
    JobStatus.PRINTED: N_("已打印"),
    JobStatus.FAILED: N_("失败"),
    JobStatus.CANCELLED: N_("已取消"),
    JobStatus.EXPIRED: N_("已过期未打印"),
}


def printer_state(code: str) -> str:
    return PRINTER_STATES.get(code, code)


def job_status(code: str) -> str:
    return JOB_STATUSES.get(code, code)


# Printer errors come from the OS and libraries in English ("[Errno 111] Connection refused").
# The printers page shows a plain Chinese reason; the raw text stays in a tooltip and a
# details line for IT. First matching pattern wins; texts already in Chinese are kept.
PRINTER_ERRORS = (
    (
        ("errno 111", "connection refused"),
        N_("打印机拒绝连接：请检查打印机是否开机，IP 地址和端口是否正确"),
    ),
    (("timed out", "timeout", "errno 110"), N_("连接打印机超时：请检查网线和打印机电源")),
    (
        ("errno 113", "errno 101", "no route to host", "network is unreachable"),
        N_("网络不通：请检查网线、交换机和打印机的 IP 地址"),
    ),
    (
        ("name or service not known", "getaddrinfo", "nodename nor servname", "errno -2"),
        N_("找不到这个主机名：请改用打印机的 IP 地址"),
    ),
    (("permission denied", "[errno 13]", "access is denied"), N_("没有权限使用打印机设备")),
    (
        ("usb", "nobackenderror", "device not found"),
        N_("找不到 USB 打印机：请检查 USB 线和打印机电源"),
    ),
    (("no such file", "[errno 2]", "cannot find"), N_("找不到打印机设备：请检查连接线和设备路径")),
    (("broken pipe", "connection reset", "errno 32", "errno 104"), N_("打印中连接断开，请重试")),
)


def printer_error(text: str | None) -> str:
    """A plain Chinese reason for a printer's raw error text ("" when there is none)."""
    if not text:
        return ""
    if any("\u4e00" <= char <= "\u9fff" for char in text):
        return text
    lowered = text.lower()
    for needles, label in PRINTER_ERRORS:
        if any(needle in lowered for needle in needles):
            return label
    return N_("打印机出错，请检查打印机后重试")
