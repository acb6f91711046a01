"""The mock interview as Block Kit: the question with its buttons, the scorecard, the history.

Answers are user text (:func:`~bot.adapters.slack.blocks.mrkdwn` with ``user=True``); question
text, key points and reference answers are pack text (escaped, markdown kept). The question's
section carries :data:`~bot.adapters.slack.blocks.PROMPT_BLOCK_ID`, so the answer modal shows
it without a lookup (:func:`~bot.adapters.slack.blocks.prompt_of_message`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters.progress import progress_bar
from bot.adapters.slack.blocks import (
    MAX_BUTTON_CHARS,
    MAX_FALLBACK_CHARS,
    MAX_HEADER_CHARS,
    PROMPT_BLOCK_ID,
    Block,
    context,
    escape,
    mrkdwn,
    plain,
    section,
)
from bot.adapters.wording import (
    INTERVIEW_PRIVATE,
    JUDGE_NOTE,
    NO_INTERVIEWS,
    follow_up_result,
    interview_budget,
    interview_change,
    interview_heading,
    interview_status,
    interview_summary,
    interview_thresholds,
    interview_time,
    interview_verdict,
    item_heading,
    percent,
    plural,
)
from bot.engine.model import InterviewHistory, InterviewPrompt, Scorecard, ScorecardItem
from bot.safe_text import shorten

__all__ = [
    "ACTION_PREFIX",
    "ANSWER_VALUE",
    "STOP_VALUE",
    "history_blocks",
    "history_text",
    "prompt_blocks",
    "prompt_text",
    "scorecard_blocks",
    "scorecard_text",
]

ACTION_PREFIX = "interview:"
ANSWER_VALUE = "ivanswer:{interview}:{step}"
STOP_VALUE = "ivstop:{interview}"
_ITEM_PART = 500  # characters of a question, an answer or a reference answer on the scorecard


def _header(text: str) -> Block:
    return {"type": "header", "text": plain(text, MAX_HEADER_CHARS)}


def _button(text: str, action: str, value: str, *, primary: bool = False) -> Block:
    button: Block = {
        "type": "button",
        "action_id": f"{ACTION_PREFIX}{action}",
        "text": plain(text, MAX_BUTTON_CHARS),
        "value": value,
    }
    if primary:
        button["style"] = "primary"
    return button


def prompt_text(prompt: InterviewPrompt) -> str:
    """The notification text of an interview question."""
    return mrkdwn(prompt.text, MAX_FALLBACK_CHARS, raw=escape(interview_heading(prompt)) + ": ")


def prompt_blocks(prompt: InterviewPrompt) -> list[Block]:
    """The question (or follow-up), its time budget, "Answer" and "Stop interview"."""
    due = int(prompt.due_at)
    fallback = f"{datetime.fromtimestamp(due, UTC):%H:%M} UTC"
    blocks: list[Block] = [_header(interview_heading(prompt))]
    if prompt.resumed:
        blocks.append(context(f"Resuming interview #{prompt.interview_id} where you left it."))
    values = {"interview": prompt.interview_id, "step": prompt.step}
    blocks += [
        {**section(mrkdwn(prompt.text)), "block_id": PROMPT_BLOCK_ID},
        {
            "type": "actions",
            "block_id": f"interview:{prompt.interview_id}",
            "elements": [
                _button("Answer", "answer", ANSWER_VALUE.format(**values), primary=True),
                _button("Stop interview", "stop", STOP_VALUE.format(**values)),
            ],
        },
        context(
            f"{escape(interview_budget(prompt))} Budget ends "
            f"<!date^{due}^{{time}}|{fallback}>. {escape(INTERVIEW_PRIVATE)}"
        ),
    ]
    return blocks


def scorecard_text(card: Scorecard) -> str:
    """The notification text of a scorecard."""
    return escape(f"Interview #{card.interview_id} scorecard: {interview_verdict(card)}")


def _item_blocks(item: ScorecardItem) -> list[Block]:
    lines = [
        f"*{escape(item_heading(item))}*",
        mrkdwn(item.prompt, _ITEM_PART),
        mrkdwn(item.answer, _ITEM_PART, raw="*Your answer:* ", user=True),
    ]
    if item.follow_up is not None:
        lines.append(mrkdwn(item.follow_up, _ITEM_PART))
        if item.follow_up_answer is not None:
            lines.append(
                mrkdwn(
                    item.follow_up_answer, _ITEM_PART, raw="*Your follow-up answer:* ", user=True
                )
            )
        lines.append(f"*Follow-up:* {escape(follow_up_result(item))}")
    lines += [f"✅ {escape(label)}" for label in item.covered]
    lines += [f"❌ {escape(label)}" for label in item.missed]
    if item.judge_note:
        lines.append(mrkdwn(item.judge_note, _ITEM_PART, raw=f"*{JUDGE_NOTE}:* ", user=True))
    lines.append(mrkdwn(item.reference_answer, _ITEM_PART, raw="*Reference answer:* "))
    return [{"type": "divider"}, section("\n".join(lines))]


def scorecard_blocks(card: Scorecard) -> list[Block]:
    """The scorecard: verdict with its thresholds, change, time, categories, every answered
    question, and what to study next (at most 12 questions: within Slack's 50 blocks)."""
    summary = [
        f"*{escape(interview_verdict(card))}*",
        escape(interview_thresholds(card)),
        escape(interview_change(card)),
        escape(interview_time(card)),
    ]
    blocks: list[Block] = [
        _header(f"Interview #{card.interview_id} scorecard — {interview_status(card)}"),
        section("\n".join(summary)),
    ]
    if card.categories:
        rows = [
            f"{progress_bar(c.score)} {escape(c.title)}: {plural(c.questions, 'question')}, "
            f"{percent(c.score)}"
            for c in card.categories
        ]
        blocks.append(section("*By category*\n" + "\n".join(rows)))
    for item in card.items:
        blocks += _item_blocks(item)
    if card.topics:
        topics = [
            f"• {escape(t.point)} ({escape(t.category_title)}): "
            f"`/review category:{escape(t.category)}`"
            for t in card.topics
        ]
        blocks += [{"type": "divider"}, section("*Study next*\n" + "\n".join(topics))]
    blocks.append(context(f"Practice points on the leaderboard: +{card.points} (as for reviews)."))
    return blocks


def history_text(history: InterviewHistory) -> str:
    """The notification text of ``/interview history``."""
    return f"Your interviews: {plural(len(history.rows), 'interview')}"


def history_blocks(history: InterviewHistory) -> list[Block]:
    """The player's latest interviews with their scores."""
    if not history.rows:
        return [section(escape(NO_INTERVIEWS))]
    lines = [
        f"<!date^{int(row.started_at)}^{{date_short}}|"
        f"{datetime.fromtimestamp(row.started_at, UTC):%Y-%m-%d}> "
        f"{escape(interview_summary(row))}"
        for row in history.rows
    ]
    return [_header("Your interviews"), section(shorten("\n".join(lines), 3000))]
