"""Slack's emoji codes (``:rotating_light:``) as the emoji people saw, for the common ones."""

from __future__ import annotations

import re

SHORTCODES: dict[str, str] = {
    "rotating_light": "🚨", "fire": "🔥", "warning": "⚠️", "white_check_mark": "✅",
    "heavy_check_mark": "✔️", "x": "❌", "rocket": "🚀", "eyes": "👀", "+1": "👍",
    "thumbsup": "👍", "-1": "👎", "thumbsdown": "👎", "tada": "🎉", "pray": "🙏",
    "red_circle": "🔴", "large_green_circle": "🟢", "green_circle": "🟢",
    "large_yellow_circle": "🟡", "yellow_circle": "🟡", "mag": "🔍", "wrench": "🔧",
    "hammer_and_wrench": "🛠️", "chart_with_upwards_trend": "📈",
    "chart_with_downwards_trend": "📉", "email": "📧", "e-mail": "📧", "memo": "📝",
    "pager": "📟", "sos": "🆘", "ok_hand": "👌", "raised_hands": "🙌", "clap": "👏",
    "thinking_face": "🤔", "sweat_smile": "😅", "slightly_smiling_face": "🙂", "smile": "😄",
    "rewind": "⏪", "arrows_counterclockwise": "🔄", "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳", "bell": "🔔", "lock": "🔒", "bug": "🐛", "boom": "💥",
    "heart": "❤️", "100": "💯", "point_up": "☝️", "construction": "🚧",
}
_CODE = re.compile(r":([a-z0-9_+\-]{1,50}):")


def replace_shortcodes(text: str) -> str:
    """Known codes become their emoji; unknown ones (a team's own emoji) stay as written."""
    return _CODE.sub(lambda m: SHORTCODES.get(m.group(1), m.group(0)), text)
