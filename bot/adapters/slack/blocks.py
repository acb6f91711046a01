"""Rendering the engine's views as Slack Block Kit, with user text escaped and cut to fit.

Every piece of text that lands in a ``mrkdwn`` field goes through :func:`escape`, so
``<!channel>``, ``<!here>``, ``<@U…>`` or ``<#C…>`` is shown, never acted on. User-supplied text
(display names, typed answers) goes through :func:`escape_user`, which also breaks Slack's
formatting markers (``*bold*``, ``_italic_``, ``~strike~``, backtick code and ``>`` quotes) so a
name such as ``*boss*`` cannot restyle the message around it. Question-pack text keeps its
markdown (the built-in packs use backticks for code), but its mentions are escaped too. Every
text is cut with :func:`bot.safe_text.shorten` to Slack's limits instead of letting Slack reject
the message.
"""

from __future__ import annotations

import json
from typing import Any

from bot.adapters.code_block import closed_fences, code_block, output_line, plain_fences
from bot.adapters.progress import progress_bar
from bot.adapters.wording import (
    JUDGE_NOTE,
    NO_ANSWERS_YET,
    VERDICT,
    board_title,
    card_kind,
    champions_line,
    coverage,
    duration,
    grade_reasons,
    key_point_lines,
    key_points_summary,
    more_tied,
    open_answer_label,
    plural,
    rated_hint,
    reviews_due,
    streak_and_reviews,
)
from bot.engine.model import (
    CHOICE_LETTERS,
    Feedback,
    Leaderboard,
    LeaderboardRow,
    QuestionCard,
    Reveal,
    Stats,
)
from bot.engine.reviews import RATINGS
from bot.safe_text import shorten, visible

__all__ = [
    "ANSWER_ACTION_PREFIX",
    "ANSWER_BLOCK_ID",
    "ANSWER_INPUT_ID",
    "MAX_BLOCKS",
    "MAX_BUTTON_CHARS",
    "MAX_HEADER_CHARS",
    "MAX_SECTION_CHARS",
    "MODAL_CALLBACK_ID",
    "OPEN_ACTION_ID",
    "PROMPT_BLOCK_ID",
    "ZWSP",
    "Block",
    "answer_modal",
    "button_value",
    "card_blocks",
    "card_text",
    "context",
    "escape",
    "escape_user",
    "feedback_actions",
    "feedback_blocks",
    "feedback_text",
    "home_view",
    "leaderboard_blocks",
    "leaderboard_text",
    "modal_private_metadata",
    "mrkdwn",
    "notice_blocks",
    "plain",
    "prompt_of_message",
    "reveal_blocks",
    "reveal_text",
    "section",
    "stats_blocks",
    "stats_text",
]

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION_CHARS = 3000
MAX_BUTTON_CHARS = 75
MAX_HEADER_CHARS = 150
MAX_CONTEXT_CHARS = 2000
MAX_FALLBACK_CHARS = 3000
MAX_INPUT_CHARS = 3000  # Slack caps plain_text_input max_length at 3000

ANSWER_ACTION_PREFIX = "quiz:answer:"
OPEN_ACTION_ID = "quiz:open"
MODAL_CALLBACK_ID = "quiz:answer_modal"
ANSWER_BLOCK_ID = "answer"
ANSWER_INPUT_ID = "text"

REVIEW_ACTION_PREFIX = "review:"
PROMPT_BLOCK_ID = "quiz:prompt"

ZWSP = "\u200b"
_MARKERS = str.maketrans({marker: marker + ZWSP for marker in "*_~`"})


def escape(text: str) -> str:
    """Escape text for a Slack ``mrkdwn`` field: ``&``, ``<``, ``>`` and control characters."""
    return visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_user(text: str) -> str:
    """:func:`escape` for user-supplied text, with Slack's formatting made inert too.

    A zero-width space follows every ``*``, ``_``, ``~`` and backtick, so none of them can open
    or close bold, italic, strike-through or code; one precedes a ``>`` that starts a line,
    so it cannot start a quote.
    """
    escaped = escape(text).translate(_MARKERS)
    escaped = escaped.replace("\n&gt;", f"\n{ZWSP}&gt;")
    return ZWSP + escaped if escaped.startswith("&gt;") else escaped


def mrkdwn(text: str, limit: int = MAX_SECTION_CHARS, *, raw: str = "", user: bool = False) -> str:
    """``raw`` (trusted mrkdwn) followed by ``text`` escaped, the whole cut to ``limit`` chars.

    ``user`` marks ``text`` as user-supplied: its formatting is neutralised as well
    (:func:`escape_user`). The cut happens on the unescaped text, so an entity such as
    ``&amp;`` is never split.
    """
    room = limit - len(raw)
    if room <= 0:
        return shorten(raw, limit)
    quote = escape_user if user else escape
    budget = room
    while True:
        escaped = quote(shorten(text, budget))
        if len(escaped) <= room or budget <= 1:
            return raw + escaped[:room]
        budget -= max(len(escaped) - room, 1)


def plain(text: str, limit: int) -> dict[str, Any]:
    """A ``plain_text`` object (control characters made visible) cut to ``limit``."""
    return {"type": "plain_text", "text": shorten(visible(text), limit), "emoji": True}


def _header(text: str) -> Block:
    return {"type": "header", "text": plain(text, MAX_HEADER_CHARS)}


def section(text: str) -> Block:
    """A section of already-escaped mrkdwn (cut to the section limit as a last resort)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": shorten(text, MAX_SECTION_CHARS)}}


def context(text: str) -> Block:
    """A context block of already-escaped mrkdwn, cut to Slack's limit."""
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": shorten(text, MAX_CONTEXT_CHARS)}],
    }


def _fit(blocks: list[Block], limit: int = MAX_BLOCKS) -> list[Block]:
    """At most ``limit`` blocks (the last ones dropped)."""
    return blocks[:limit]


def code(text: str, limit: int = MAX_SECTION_CHARS) -> str:
    """Code or program output as a fenced mrkdwn block (escaped), at most ``limit`` chars."""
    return code_block(text, limit, quote=escape)


def _why(explanation: str) -> str:
    """``*Why:*`` and the explanation, its examples as Slack code blocks, never left open."""
    text = plain_fences(explanation.strip(), language=False)
    return closed_fences(mrkdwn(text, MAX_SECTION_CHARS - 4, raw="*Why:* "))


def _name(name: str, limit: int = 80) -> str:
    """A display name on one line, cut to ``limit`` and escaped as user text."""
    return escape_user(shorten(visible(name, keep_newlines=False), limit))


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(visible(name, keep_newlines=False) for name in names)


# -- question cards ---------------------------------------------------------------------------


def button_value(round_id: int, choice: str) -> str:
    """The ``value`` of an answer button: ``quiz:<round>:<A-D|open>``."""
    return f"quiz:{round_id}:{choice}"


def card_text(card: QuestionCard) -> str:
    """The notification text of a question message."""
    return mrkdwn(card.prompt, MAX_FALLBACK_CHARS, raw=f"{card_kind(card)} #{card.round_id}: ")


def _choice_listing(card: QuestionCard) -> str:
    """The lettered choices; an output question's as code blocks (they are program output)."""
    letters = zip(CHOICE_LETTERS, card.choices, strict=False)
    if card.code is None:
        listing = "\n".join(f"*{letter})* {escape(text)}" for letter, text in letters)
        return shorten(listing, MAX_SECTION_CHARS)
    room = MAX_SECTION_CHARS // len(CHOICE_LETTERS) - 8
    return "\n".join(f"*{letter})*\n{code(text, room)}" for letter, text in letters)


def card_blocks(card: QuestionCard) -> list[Block]:
    """A question with A–D buttons (choice mode) or an "Answer in my own words" button."""
    blocks: list[Block] = [
        _header(f"{card_kind(card)} #{card.round_id} · {card.category_title} · {card.difficulty}"),
        {**section(mrkdwn(card.prompt)), "block_id": PROMPT_BLOCK_ID},
    ]
    if card.code is not None:
        blocks.append(section(code(card.code)))
    if card.choices:
        blocks.append(section(_choice_listing(card)))
        # an output question's choices are read in the listing above, not on the buttons
        buttons = [
            {
                "type": "button",
                "action_id": f"{ANSWER_ACTION_PREFIX}{letter}",
                "text": plain(letter if card.code else f"{letter}) {text}", MAX_BUTTON_CHARS),
                "value": button_value(card.round_id, letter),
            }
            for letter, text in zip(CHOICE_LETTERS, card.choices, strict=False)
        ]
        blocks.append({"type": "actions", "block_id": f"quiz:{card.round_id}", "elements": buttons})
        hint = "Pick A, B, C or D"
    else:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"quiz:{card.round_id}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": OPEN_ACTION_ID,
                        "style": "primary",
                        "text": plain(open_answer_label(card), MAX_BUTTON_CHARS),
                        "value": button_value(card.round_id, "open"),
                    }
                ],
            }
        )
        hint = "Type exactly what it prints" if card.code else "Answer in your own words"
    if card.kind == "daily":
        closes = f"<!date^{int(card.closes_at)}^{{date_short_pretty}} {{time}}|at the next post>"
        blocks.append(
            context(
                f"*{card.answer_count}* answered so far · closes {closes} · "
                "only you see your feedback · one answer"
            )
        )
        return _fit(blocks)
    blocks.append(
        context(
            f"{hint} within {duration(card.time_limit_s)} · only you see your feedback · one answer"
        )
    )
    return _fit(blocks)


def prompt_of_message(message: object) -> str:
    """The question's mrkdwn as rendered in a posted card (``""`` when not found).

    Slack sends the clicked message back in a click's payload; its prompt section (block id
    :data:`PROMPT_BLOCK_ID`) is text this module escaped. Any ``<`` or ``>`` in it is escaped
    again all the same, so a tampered payload cannot smuggle a mention into the modal.
    """
    found = message.get("blocks") if isinstance(message, dict) else None
    for block in found if isinstance(found, list) else ():
        if not isinstance(block, dict) or block.get("block_id") != PROMPT_BLOCK_ID:
            continue
        text = block.get("text")
        value = text.get("text") if isinstance(text, dict) else None
        if isinstance(value, str):
            return shorten(value.replace("<", "&lt;").replace(">", "&gt;"), MAX_SECTION_CHARS)
    return ""


def answer_modal(
    round_id: int,
    channel_id: str,
    *,
    prompt_mrkdwn: str = "",
    response_url: str = "",
    callback_id: str = MODAL_CALLBACK_ID,
    title: str = "",
    step: str = "",
) -> dict[str, Any]:
    """The modal for an open-mode answer (multiline, at most 3 000 characters: Slack's cap).

    ``prompt_mrkdwn`` is the question, already escaped (:func:`mrkdwn`). ``private_metadata``
    keeps the round, the channel and the click's ``response_url`` (the feedback goes there:
    chat.postEphemeral needs the bot in the channel). A mock interview's modal has its own
    ``callback_id`` and ``title``; its ``round_id`` is the interview and ``step`` the step.
    """
    blocks: list[Block] = []
    if prompt_mrkdwn:
        blocks.append(section(prompt_mrkdwn))
    blocks.append(
        {
            "type": "input",
            "block_id": ANSWER_BLOCK_ID,
            "label": plain("Your answer", 2000),
            "element": {
                "type": "plain_text_input",
                "action_id": ANSWER_INPUT_ID,
                "multiline": True,
                "max_length": MAX_INPUT_CHARS,
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": modal_private_metadata(round_id, channel_id, response_url, step),
        "title": plain(title or f"Question #{round_id}", 24),
        "submit": plain("Submit", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def modal_private_metadata(
    round_id: int, channel_id: str, response_url: str = "", step: str = ""
) -> str:
    """What a modal remembers: the round, the channel and (when known) the response_url and
    an interview's step."""
    meta: dict[str, Any] = {"round": round_id, "channel": channel_id}
    if response_url:
        meta["response_url"] = response_url
    if step:
        meta["step"] = step
    return json.dumps(meta)


def _review_button(text: str, action: str, value: str) -> Block:
    return {
        "type": "button",
        "action_id": f"{REVIEW_ACTION_PREFIX}{action}",
        "text": plain(text, MAX_BUTTON_CHARS),
        "value": value,
    }


def feedback_actions(feedback: Feedback) -> list[Block]:
    """Rating buttons (review rounds), "Dispute grade", "Report question", and the nudges.

    Button values carry the state: ``rate:<round>:<rating>``, ``dispute:<round>``,
    ``report:<round>`` (handled in :mod:`bot.adapters.slack.reviews`).
    """
    round_id = feedback.round_id
    elements = []
    if feedback.kind == "review":
        elements += [
            _review_button(r.capitalize(), f"rate:{r}", f"rate:{round_id}:{r}") for r in RATINGS
        ]
    elements.append(_review_button("Dispute grade", "dispute", f"dispute:{round_id}"))
    elements.append(_review_button("Report question", "report", f"report:{round_id}"))
    found: list[Block] = []
    if feedback.kind == "review" and feedback.rating:
        found.append(context(rated_hint(feedback.rating)))
    found.append({"type": "actions", "block_id": f"review:{round_id}", "elements": elements})
    if feedback.reviews_due:
        found.append(context(reviews_due(feedback.reviews_due, "`/review`")))
    return found


# -- feedback and reveal ----------------------------------------------------------------------


def feedback_text(feedback: Feedback) -> str:
    """The notification text of an answer's private feedback."""
    return f"{VERDICT[feedback.verdict]} +{feedback.points} points."


def feedback_blocks(feedback: Feedback) -> list[Block]:
    """Private feedback to the player who answered."""
    blocks: list[Block] = [
        section(
            f"*{VERDICT[feedback.verdict]}* Grade {feedback.grade:.0%}, +{feedback.points} points."
        ),
        section(mrkdwn(feedback.your_answer, raw="*Your answer:* ", user=True)),
    ]
    points = key_point_lines(feedback, escape)
    if points:
        summary = escape(key_points_summary(feedback))
        blocks.append(section(shorten("\n".join([summary, *points]), MAX_SECTION_CHARS)))
    blocks += [
        section(mrkdwn(text, raw=f"*{heading}:* ")) for heading, text in grade_reasons(feedback)
    ]
    if feedback.judge_note:
        blocks.append(section(mrkdwn(feedback.judge_note, raw=f"*{JUDGE_NOTE}:* ", user=True)))
    if feedback.output is not None:
        blocks.append(section("*Output:*\n" + code(feedback.output, MAX_SECTION_CHARS - 20)))
    else:
        blocks.append(section(mrkdwn(feedback.reference_answer, raw="*Reference answer:* ")))
    blocks.append(section(_why(feedback.explanation)))
    blocks += feedback_actions(feedback)
    return _fit(blocks)


def reveal_text(reveal: Reveal) -> str:
    """The notification text of a reveal."""
    return mrkdwn(reveal.prompt, MAX_FALLBACK_CHARS, raw=f"Round #{reveal.round_id} closed: ")


def reveal_blocks(reveal: Reveal) -> list[Block]:
    """What everyone sees when a round closes: no buttons, the answer and who got it."""
    blocks: list[Block] = [
        _header(f"Round #{reveal.round_id} closed"),
        section(mrkdwn(reveal.prompt)),
    ]
    if reveal.code is not None and reveal.output is not None:
        letter = f" {reveal.correct_letter})" if reveal.correct_letter else ""
        blocks.append(section(code(reveal.code)))
        blocks.append(section(f"*Correct answer:*{letter} it prints\n" + code(reveal.output, 2900)))
    elif reveal.correct_letter:
        blocks.append(
            section(mrkdwn(reveal.correct_text, raw=f"*Correct answer:* {reveal.correct_letter}) "))
        )
    if reveal.correct_letter:
        total = sum(t.count for t in reveal.tallies)

        def option(text: str) -> str:
            return escape_user(output_line(text)) if reveal.output is not None else escape(text)

        tallies = "\n".join(
            f"{'✅' if t.correct else '▫️'} *{t.letter})* {t.count} ({_share(t.count, total)})"
            f" · {option(t.text)}"
            for t in reveal.tallies
        )
        if tallies:
            blocks.append(section(shorten(tallies, MAX_SECTION_CHARS)))
    elif reveal.output is None:
        blocks.append(section(mrkdwn(reveal.correct_text, raw="*Reference answer:* ")))
    blocks.append(section(_why(reveal.explanation)))
    if reveal.correct_players:
        raw = f"Right ({len(reveal.correct_players)}/{reveal.answer_count}): "
        players = mrkdwn(_names(reveal.correct_players), MAX_CONTEXT_CHARS, raw=raw, user=True)
        blocks.append(context(players))
        first = visible(reveal.first_correct or "", keep_newlines=False)
        blocks.append(
            context(mrkdwn(first, MAX_CONTEXT_CHARS, raw="🏅 First correct: ", user=True))
        )
    else:
        blocks.append(context(f"Nobody got it right ({reveal.answer_count} answered)."))
    if reveal.top_streaks:
        streaks = ", ".join(f"{_name(name)} {days}" for name, days in reveal.top_streaks)
        blocks.append(context(shorten(f"🔥 Top streaks (days): {streaks}", MAX_CONTEXT_CHARS)))
    if reveal.weekly_top:
        top = "\n".join(_row(row) for row in reveal.weekly_top)
        blocks.append(section(shorten(f"*This week's top 5*\n{top}", MAX_SECTION_CHARS)))
    return _fit(blocks)


# -- leaderboard, stats, home -----------------------------------------------------------------


def _share(count: int, total: int) -> str:
    """The share of the answers that chose one option, e.g. ``40%``."""
    return f"{count / total:.0%}" if total > 0 else "0%"


def _row(row: LeaderboardRow) -> str:
    name = _name(row.display_name)
    return f"{row.rank}. {name} — *{row.points}* pts ({row.correct}/{row.answers} correct)"


def leaderboard_text(board: Leaderboard) -> str:
    """The notification text of a leaderboard."""
    return f"Leaderboard — {board_title(board, escape)}"


def leaderboard_blocks(board: Leaderboard) -> list[Block]:
    """The top ten and the caller's own rank."""
    scope = f" in <#{board.channel_id}>" if board.channel_id else ""
    blocks: list[Block] = [
        _header(f"Leaderboard — {board_title(board, str)}"),
        context(f"{plural(board.total_players, 'player')}{scope}"),
    ]
    champions = champions_line(board, _name)
    if champions:
        blocks.append(section(champions))
    if board.rows:
        rows = [_row(r) for r in board.rows]
        if board.more_tied:
            rows.append(more_tied(board.rows[-1].points))
        blocks.append(section(shorten("\n".join(rows), 3000)))
    else:
        blocks.append(section(NO_ANSWERS_YET))
    if board.caller is not None:
        mine = f"Your rank: *{board.caller.rank}* of {board.total_players}"
        if all(row.user_id != board.caller.user_id for row in board.rows):
            mine = f"{_row(board.caller)}\n{mine}"
        blocks.append(section(mine))
    return _fit(blocks)


def stats_text(stats: Stats) -> str:
    """The notification text of a player's stats."""
    return mrkdwn(
        visible(stats.display_name, keep_newlines=False), 200, raw="Stats for ", user=True
    )


def stats_blocks(stats: Stats) -> list[Block]:
    """A player's points, answers and accuracy by category."""
    name = visible(stats.display_name, keep_newlines=False)
    rank = f", rank *{stats.rank}*" if stats.rank else ""
    blocks: list[Block] = [
        section(mrkdwn(name, 200, raw="*Stats for* ", user=True)),
        section(
            f"*{stats.points}* points{rank}, {plural(stats.answers, 'answer')}, "
            f"{stats.accuracy:.0%} correct"
        ),
        context(coverage(stats)),
    ]
    if stats.categories:
        lines = "\n".join(
            f"`{progress_bar(c.accuracy)}` {escape(c.title)}: {c.correct}/{c.answers} "
            f"({c.accuracy:.0%})"
            for c in stats.categories
        )
        blocks.append(section(shorten(lines, MAX_SECTION_CHARS)))
    else:
        blocks.append(context(NO_ANSWERS_YET))
    if stats.best_streak:
        blocks.append(
            context(f"🔥 Daily streak: *{stats.current_streak}* (best {stats.best_streak})")
        )
    weakest = f"*{escape(stats.weakest_category)}*" if stats.weakest_category else ""
    blocks.append(
        context(
            streak_and_reviews(
                stats.current_streak, stats.best_streak, stats.due_today, stats.due_week, weakest
            )
        )
    )
    return _fit(blocks)


def home_view(board: Leaderboard, stats: Stats) -> dict[str, Any]:
    """The App Home tab: the team leaderboard and the user's own stats."""
    blocks = [*leaderboard_blocks(board), {"type": "divider"}, *stats_blocks(stats)]
    return {"type": "home", "blocks": _fit(blocks, MAX_HOME_BLOCKS)}


def notice_blocks(text: str) -> list[Block]:
    """A one-section message (refusals and usage hints), escaped: it may quote user input."""
    return [section(mrkdwn(text))]
