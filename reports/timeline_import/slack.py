"""A Slack channel export: the JSON of one or more of a channel's day files.

Accepted: a day file (a list of messages), several pasted one after the other, an object with
``messages`` (the Web API's answer), and the export's ``users.json`` list pasted beside them for
the names. Each message has ``ts`` (seconds since 1970, UTC), ``user`` or ``user_profile`` or
``bot_profile``/``username``, and ``text`` in Slack's markup.

Left out: joins, leaves, topic and purpose changes, pins, reminders, Slackbot, deleted messages,
and messages of emoji or "+1" alone (reactions are not messages in an export, so they are
ignored with them). An edited message appears once, with its last text. Thread replies are
kept, in time order with the rest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .emoji import replace_shortcodes
from .model import RawEvent
from .text import clean

NOISE_SUBTYPES = frozenset({
    "channel_join", "channel_leave", "group_join", "group_leave", "channel_topic",
    "channel_purpose", "channel_name", "channel_archive", "channel_unarchive", "group_topic",
    "group_purpose", "group_name", "pinned_item", "unpinned_item", "reminder_add",
    "reminder_delete", "bot_add", "bot_remove", "bot_enable", "bot_disable", "message_deleted",
    "tombstone", "huddle_thread", "sh_room_created", "joiner_notification",
    "joiner_notification_for_inviter", "channel_convert_to_private", "channel_posting_permissions",
    "ekm_access_denied", "app_conversation_leave",
})
SLACKBOT = "USLACKBOT"
_MAX_DOCUMENTS = 10_000

_MENTION = re.compile(r"<@([A-Z0-9]{2,30})(?:\|([^>]{0,100}))?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]{2,30}(?:\|([^>]{0,100}))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]{0,100})?>")
_GROUP = re.compile(r"<!subteam\^[A-Z0-9]{2,30}(?:\|([^>]{0,100}))?>")
_DATE_TOKEN = re.compile(r"<!date\^\d{1,12}\^[^|>]{0,200}\|([^>]{0,200})>")
_LINK = re.compile(r"<((?:https?|mailto|tel):[^|>\s]{1,2000})(?:\|([^>]{0,500}))?>")
_NOT_WORDS = re.compile(r"[\W_\d]+")


@dataclass
class Export:
    messages: list[dict[str, Any]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def _documents(text: str) -> list[Any]:
    """Every JSON value in the text, one after the other (day files pasted together)."""
    decoder = json.JSONDecoder()
    found: list[Any] = []
    position = 0
    while position < len(text) and len(found) < _MAX_DOCUMENTS:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text):
            break
        value, position = decoder.raw_decode(text, position)
        found.append(value)
    return found


def _name_of_user(user: dict[str, Any]) -> str:
    found = user.get("profile")
    profile: dict[str, Any] = found if isinstance(found, dict) else {}
    for value in (user.get("real_name"), profile.get("real_name"), profile.get("display_name"),
                  user.get("display_name"), user.get("name")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _collect(value: Any, export: Export, depth: int = 0) -> None:
    if depth > 3:
        return
    if isinstance(value, list):
        for entry in value:
            if isinstance(entry, dict) and "ts" in entry:
                export.messages.append(entry)
            elif isinstance(entry, dict) and isinstance(entry.get("id"), str) and (
                    "profile" in entry or "real_name" in entry):
                name = _name_of_user(entry)
                if name:
                    export.names[entry["id"]] = name
            elif isinstance(entry, list):
                _collect(entry, export, depth + 1)
    elif isinstance(value, dict):
        if "ts" in value and "type" in value:
            export.messages.append(value)
            return
        for key in ("messages", "users", "members"):
            if key in value:
                _collect(value[key], export, depth + 1)
        if not any(key in value for key in ("messages", "users", "members")):
            for inner in list(value.values())[:1_000]:  # {"2026-10-03.json": [...], ...}
                if isinstance(inner, list):
                    _collect(inner, export, depth + 1)


def read_export(text: str) -> Export:
    """The messages and names of a Slack export; ValueError when the text is not JSON."""
    export = Export()
    for document in _documents(text):
        _collect(document, export)
    for message in export.messages:
        profile = message.get("user_profile")
        user = message.get("user")
        if isinstance(profile, dict) and isinstance(user, str) and user not in export.names:
            name = _name_of_user(profile)
            if name:
                export.names[user] = name
    return export


def looks_like_slack(text: str) -> bool:
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped.startswith(("[", "{")):
        return False
    try:
        return bool(read_export(stripped).messages)
    except (ValueError, RecursionError):
        return False


def _moment(ts: Any) -> datetime | None:
    if isinstance(ts, bool) or not isinstance(ts, str | int | float):
        return None
    seconds, _, fraction = str(ts).partition(".")
    if not seconds.isdigit() or len(seconds) > 11 or (fraction and not fraction.isdigit()):
        return None
    # What follows the dot tells messages of the same second apart; it is not a time.
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(seconds))


def plain_text(markup: str, names: dict[str, str]) -> str:
    """Slack's markup as the words a person sees: mentions as names, links with their text."""

    def mention(match: re.Match[str]) -> str:
        return "@" + (names.get(match.group(1)) or match.group(2) or "someone")

    text = _MENTION.sub(mention, markup)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(1) or "a channel"), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _GROUP.sub(lambda m: (m.group(1) or "@a group"), text)
    text = _DATE_TOKEN.sub(lambda m: m.group(1), text)

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("mailto:"):
            return label or target.removeprefix("mailto:")
        return f"{label} ({target})" if label and label != target else target

    text = _LINK.sub(link, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return replace_shortcodes(text)


def _message_text(message: dict[str, Any]) -> str:
    text = message.get("text")
    if isinstance(text, str) and text.strip():
        return text
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            for key in ("fallback", "text", "title", "pretext"):
                value = attachment.get(key)
                if isinstance(value, str) and value.strip():
                    return value
    files = [f.get("name") or f.get("title") for f in message.get("files") or []
             if isinstance(f, dict)]
    names = [name for name in files if isinstance(name, str) and name]
    return f"(shared {', '.join(names)})" if names else ""


def _author(message: dict[str, Any], names: dict[str, str]) -> str:
    user = message.get("user")
    if isinstance(user, str) and user in names:
        return names[user]
    bot = message.get("bot_profile")
    for value in (message.get("username"), bot.get("name") if isinstance(bot, dict) else None):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""  # an id the export does not name means nothing to a reader


def is_noise(message: dict[str, Any], text: str) -> bool:
    if message.get("subtype") in NOISE_SUBTYPES or message.get("user") == SLACKBOT:
        return True
    if message.get("type") not in (None, "message"):
        return True
    return len(_NOT_WORDS.sub("", text)) < 2  # emoji, "+1", "ok"


def read_slack(text: str) -> tuple[list[RawEvent], int]:
    """The export's messages as events (in time order), and how many were left out."""
    export = read_export(text.lstrip("\ufeff"))
    latest: dict[str, dict[str, Any]] = {}
    left_out = 0
    for message in export.messages:
        if message.get("subtype") == "message_changed" and isinstance(
                message.get("message"), dict):
            message = {**message["message"], "ts": message["message"].get("ts", message["ts"])}
        key = str(message.get("ts"))
        if key in latest:
            left_out += 1  # the same message again (an edit, or a day file pasted twice)
            if latest[key].get("edited") and not message.get("edited"):
                continue  # keep the edited text
        latest[key] = message
    events: list[tuple[datetime, RawEvent]] = []
    for message in latest.values():
        moment = _moment(message.get("ts"))
        body = plain_text(_message_text(message), export.names)
        if moment is None or is_noise(message, body):
            left_out += 1
            continue
        author = clean(_author(message, export.names), limit=100)
        description = clean(body)
        if author:
            description = f"{author}: {description}"
        events.append((moment, RawEvent(description, moment=moment, author=author)))
    events.sort(key=lambda pair: pair[0])
    return [event for _, event in events], left_out
