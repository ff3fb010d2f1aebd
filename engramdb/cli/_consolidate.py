"""`engram consolidate` and `engram profile`: derived records of a user's memory."""

from __future__ import annotations

import argparse

from ._app import Context, add_command
from ._config import add_llm_options
from ._output import shown

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub, "consolidate", run_consolidate,
        summary="build session summaries, a user summary and the profile",
        description="Summarise each session of the user (extractive: the most informative "
                    "statements,\nquoted), then the sessions together, and refresh the "
                    "profile. Unchanged sessions\nkeep their summaries. Summaries are records "
                    "of kind 'summary' and are searchable.",
        examples="  engram --user maya consolidate\n"
                 "  engram --user maya consolidate --session 2025-01-14 --json\n"
                 "  ENGRAM_LLM_API_KEY=... engram --user maya consolidate "
                 "--llm-url https://api.openai.com/v1 --llm-model gpt-4o-mini\n")
    p.add_argument("--session", metavar="ID", help="only this session")
    add_llm_options(p, "abstractive summaries (optional; extractive without an LLM)")
    p = add_command(
        sub, "profile", run_profile, summary="show what is known about the user",
        description="The user's profile: stable facts (name, places, people, pets, "
                    "preferences...)\nread from their own statements, each with the record it "
                    "came from (--json).",
        examples="  engram --user maya profile\n  engram profile --user maya --json\n")


def run_consolidate(args: argparse.Namespace, ctx: Context) -> int:
    report = ctx.memory().consolidate(user_id=ctx.user, session_id=args.session,
                                      llm=ctx.llm.build())
    if ctx.out.json:
        ctx.out.emit(report.to_dict())
        return 0
    ctx.out.line(f"sessions: {report.sessions}; summaries written: {len(report.written)}, "
                 f"unchanged: {report.unchanged}, removed: {report.removed}; "
                 f"profile {'updated' if report.profile_changed else 'unchanged'}")
    return 0


def run_profile(args: argparse.Namespace, ctx: Context) -> int:
    profile = ctx.memory().profile(user_id=ctx.user)
    if ctx.out.json:
        ctx.out.emit(profile.to_dict())
        return 0
    if not profile.facts:
        ctx.out.note(f"nothing known about {shown(ctx.user)} yet")
        return 0
    rows: dict[str, list[str]] = {}
    for fact in profile.facts:
        label = fact.label()
        if label not in rows.setdefault(fact.attribute, []):
            rows[fact.attribute].append(label)
    width = max(len(k) for k in rows)
    for attribute, values in rows.items():
        ctx.out.line(f"{attribute:<{width}}  {'; '.join(values)}")
    return 0
