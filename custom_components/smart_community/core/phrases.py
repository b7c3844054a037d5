"""Spoken warnings and phone notification texts in English and Simplified Chinese.

Home Assistant's translation files hold UI strings; these are sentences the integration speaks
on speakers and pushes to phones in the household's own language, so they live here, in both
languages, with identical keys and placeholders (a test enforces it).
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from .alarm import AlarmKind


class Language(StrEnum):
    """Languages the household can choose for spoken and pushed messages."""

    EN = "en"
    ZH_HANS = "zh-Hans"


KIND_NAMES: Final[Mapping[Language, Mapping[AlarmKind, str]]] = {
    Language.EN: {
        AlarmKind.SMOKE: "Smoke",
        AlarmKind.GAS: "Gas leak",
        AlarmKind.CO: "Carbon monoxide",
        AlarmKind.LEAK: "Water leak",
        AlarmKind.SOS: "SOS",
        AlarmKind.FALL: "Fall",
        AlarmKind.INACTIVITY: "No activity",
        AlarmKind.CUSTOM: "Alarm",
    },
    Language.ZH_HANS: {
        AlarmKind.SMOKE: "烟雾",
        AlarmKind.GAS: "燃气泄漏",
        AlarmKind.CO: "一氧化碳",
        AlarmKind.LEAK: "漏水",
        AlarmKind.SOS: "紧急呼救",
        AlarmKind.FALL: "跌倒",
        AlarmKind.INACTIVITY: "长时间无活动",
        AlarmKind.CUSTOM: "报警",
    },
}

SPOKEN: Final[Mapping[Language, Mapping[AlarmKind, str]]] = {
    Language.EN: {
        AlarmKind.SMOKE: "Warning! Smoke detected at home. Leave now and call for help.",
        AlarmKind.GAS: "Warning! Gas leak detected. The gas valve is being closed. "
        "Do not switch on lights or use fire. Open the windows and leave.",
        AlarmKind.CO: "Warning! Carbon monoxide detected. The gas valve is being closed. "
        "Open the windows and leave now.",
        AlarmKind.LEAK: "Attention: water leak detected. The water valve is being closed.",
        AlarmKind.SOS: "Emergency call received. Your family and the property are being told.",
        AlarmKind.FALL: "A fall was detected. Help is being called.",
        AlarmKind.INACTIVITY: "No activity for a long time. Are you all right?",
        AlarmKind.CUSTOM: "Attention: an alarm was raised at home.",
    },
    Language.ZH_HANS: {
        AlarmKind.SMOKE: "警告！家中检测到烟雾，请立即撤离并呼救。",
        AlarmKind.GAS: "警告！检测到燃气泄漏，正在关闭燃气阀。请勿开关电器或使用明火，开窗后立即离开。",
        AlarmKind.CO: "警告！检测到一氧化碳，正在关闭燃气阀。请开窗并立即离开。",
        AlarmKind.LEAK: "注意：检测到漏水，正在关闭水阀。",
        AlarmKind.SOS: "已收到紧急呼救，正在通知家人和物业。",
        AlarmKind.FALL: "检测到跌倒，正在呼叫帮助。",
        AlarmKind.INACTIVITY: "长时间没有活动，您还好吗？",
        AlarmKind.CUSTOM: "注意：家中有报警。",
    },
}

TEXTS: Final[Mapping[Language, Mapping[str, str]]] = {
    Language.EN: {
        "notify_title": "{kind} alarm at {household}",
        "notify_message": "{kind} at {household} ({address}), {time}. Source: {source}.",
        "escalation_title": "Unanswered {kind} alarm at {household}",
        "escalation_message": "Nobody has acknowledged the {kind} alarm at {household} "
        "({address}) raised at {time}. Please check on them.",
        "acknowledged_title": "{kind} alarm acknowledged",
        "acknowledged_message": "{by} acknowledged the {kind} alarm at {household}.",
        "resolved_title": "{kind} alarm resolved",
        "resolved_message": "{by} resolved the {kind} alarm at {household}.",
        "action_acknowledge": "Acknowledge",
        "someone": "Someone",
        "duty_title": "{kind} alarm: {household} ({address})",
        "duty_escalation_title": "Still unacknowledged: {kind} alarm at {address}",
        "duty_message": "{kind} alarm at {household}, {address}, since {time}. "
        "Contacts: {contacts}.",
        "property_acknowledged_title": "The property has your {kind} alarm",
        "property_acknowledged_message": "{by} in the duty room acknowledged the "
        "{kind} alarm at {household} and is on it.",
        "property_arrived_title": "Help has arrived",
        "property_arrived_message": "{by} from the property reached {household}.",
        "announcement_title": "Notice from {community}",
        "work_order_title": "Work order {status}: {summary}",
        "work_order_message": 'Your work order "{summary}" is now {status} ({assignee}).',
        "work_order_open": "open",
        "work_order_taken": "taken",
        "work_order_assigned": "assigned",
        "work_order_in_progress": "in progress",
        "work_order_done": "done",
        "work_order_cancelled": "cancelled",
        "work_order_reopened": "reopened",
        "maintenance_title": "{device} needs attention",
        "maintenance_message": "{device}: {problem}. It still works as a detector "
        "until it is offline; please check it soon.",
        "maintenance_work_order": "Replace or repair {device}: {problem}",
        "maintenance_tamper": "its cover was opened or it was moved",
        "maintenance_battery_low": "battery low",
        "maintenance_trouble": "it reports a fault",
        "maintenance_offline": "it is offline",
    },
    Language.ZH_HANS: {
        "notify_title": "{household}：{kind}报警",
        "notify_message": "{household}（{address}）{time} 发生{kind}报警。来源：{source}。",
        "escalation_title": "{household}的{kind}报警无人确认",
        "escalation_message": "{household}（{address}）于 {time} 发生的{kind}报警仍无人确认，"
        "请尽快查看。",
        "acknowledged_title": "{kind}报警已确认",
        "acknowledged_message": "{by}已确认{household}的{kind}报警。",
        "resolved_title": "{kind}报警已解除",
        "resolved_message": "{by}已解除{household}的{kind}报警。",
        "action_acknowledge": "确认",
        "someone": "有人",
        "duty_title": "{kind}报警：{household}（{address}）",
        "duty_escalation_title": "仍无人确认：{address} 的{kind}报警",
        "duty_message": "{household}（{address}）自 {time} 起发生{kind}报警。联系电话：{contacts}。",
        "property_acknowledged_title": "物业已收到您的{kind}报警",
        "property_acknowledged_message": "值班室的{by}已确认{household}的{kind}报警，正在处理。",
        "property_arrived_title": "救援已到达",
        "property_arrived_message": "物业的{by}已到达{household}。",
        "announcement_title": "{community}通知",
        "work_order_title": "工单{status}：{summary}",
        "work_order_message": "您的工单“{summary}”现在{status}（{assignee}）。",
        "work_order_open": "待处理",
        "work_order_taken": "已受理",
        "work_order_assigned": "已派单",
        "work_order_in_progress": "处理中",
        "work_order_done": "已完成",
        "work_order_cancelled": "已取消",
        "work_order_reopened": "已重新打开",
        "maintenance_title": "{device}需要维护",
        "maintenance_message": "{device}：{problem}。在离线之前它仍能正常报警，请尽快检查。",
        "maintenance_work_order": "更换或维修{device}：{problem}",
        "maintenance_tamper": "外壳被打开或被移动",
        "maintenance_battery_low": "电量低",
        "maintenance_trouble": "报告故障",
        "maintenance_offline": "已离线",
    },
}


def language_for(code: str | None) -> Language:
    """Map a Home Assistant language code to the language used for messages."""
    if code and code.lower().startswith("zh"):
        return Language.ZH_HANS
    return Language.EN


def kind_name(language: Language, kind: AlarmKind) -> str:
    """Return the alarm kind's name in that language."""
    return KIND_NAMES[language][kind]


def spoken_warning(
    language: Language, kind: AlarmKind, message: str | None = None
) -> str:
    """Return the sentence to speak for an alarm, followed by its own message if any."""
    warning = SPOKEN[language][kind]
    return f"{warning} {message}" if message else warning


def text(language: Language, key: str, **placeholders: str) -> str:
    """Return a notification text with its placeholders filled."""
    return TEXTS[language][key].format(**placeholders)
