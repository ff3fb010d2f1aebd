"""``report.html``: one self-contained file, plots drawn as inline SVG by hand.

No JavaScript, no CDN, no plotting library: the file opens offline and can be
attached to an issue or archived next to ``report.json``.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["METHOD_COLORS", "bar_chart", "line_chart", "render_html"]

METHOD_COLORS = {"bm25": "#4c72b0", "dense": "#dd8452", "hybrid": "#55a868",
                 "engram": "#c44e52"}
_EXTRA = ["#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"]

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;
max-width:1180px;color:#222;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid
#ddd;padding-bottom:4px}.meta{color:#555}.grid{display:flex;flex-wrap:wrap;gap:12px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;
text-align:right}th{background:#f6f6f6}td.l,th.l{text-align:left}tr.sec td{border-top:2px solid
#ccc}b.best{color:#1a7f37}svg{background:#fff;border:1px solid #eee}
code{background:#f3f3f3;padding:1px 4px}details{margin-top:16px}
"""


def _color(name: str, i: int) -> str:
    return METHOD_COLORS.get(name, _EXTRA[i % len(_EXTRA)])


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks, t = [], start
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _fmt_tick(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v / 1000:g}k"
    return f"{v:g}"


def _svg_open(width: int, height: int, title: str) -> list[str]:
    return [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}">'),
            (f'<text x="{width / 2}" y="17" text-anchor="middle" font-size="13" '
             f'font-weight="bold">{_e(title)}</text>')]


def line_chart(series: Mapping[str, Sequence[tuple[float, float | None]]], *, title: str,
               x_label: str = "", y_label: str = "", x_log: bool = False,
               y_range: tuple[float, float] | None = None, width: int = 360, height: int = 250,
               dashed: Sequence[str] = ()) -> str:
    """An SVG line chart: one polyline with markers per series; None values are gaps."""
    left, right, top, bottom = 48, 12, 28, 58
    pw, ph = width - left - right, height - top - bottom
    xs = sorted({x for pts in series.values() for x, _ in pts})
    ys = [y for pts in series.values() for _, y in pts if y is not None]
    if not xs:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"></svg>'
    if y_range is None:
        hi = max(ys, default=1.0)
        y_lo, y_hi = 0.0, (hi * 1.1 if hi > 0 else 1.0)
        ticks = _nice_ticks(y_lo, y_hi)
        y_hi = max(y_hi, ticks[-1])
    else:
        y_lo, y_hi = y_range
        ticks = _nice_ticks(y_lo, y_hi)
    fx = (lambda x: math.log10(x)) if x_log else (lambda x: float(x))
    x_lo, x_hi = fx(xs[0]), fx(xs[-1])
    span = (x_hi - x_lo) or 1.0

    def px(x: float) -> float:
        return left + (fx(x) - x_lo) / span * pw if len(xs) > 1 else left + pw / 2

    def py(y: float) -> float:
        return top + ph - (y - y_lo) / ((y_hi - y_lo) or 1) * ph

    out = _svg_open(width, height, title)
    for t in ticks:
        if t < y_lo - 1e-9 or t > y_hi + 1e-9:
            continue
        y = py(t)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" '
                   'stroke="#eee"/>')
        out.append(f'<text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end" '
                   f'font-size="10">{_fmt_tick(t)}</text>')
    for x in xs:
        out.append(f'<line x1="{px(x):.1f}" x2="{px(x):.1f}" y1="{top}" y2="{top + ph}" '
                   'stroke="#f3f3f3"/>')
        out.append(f'<text x="{px(x):.1f}" y="{top + ph + 14}" text-anchor="middle" '
                   f'font-size="10">{_fmt_tick(x)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
               'stroke="#999"/>')
    if x_label:
        out.append(f'<text x="{left + pw / 2}" y="{top + ph + 28}" text-anchor="middle" '
                   f'font-size="11">{_e(x_label)}</text>')
    if y_label:
        out.append(f'<text transform="translate(12,{top + ph / 2}) rotate(-90)" '
                   f'text-anchor="middle" font-size="11">{_e(y_label)}</text>')
    for i, (name, pts) in enumerate(series.items()):
        color = _color(name.split(" ")[0], i)
        dash = ' stroke-dasharray="5,3"' if name in dashed else ""
        segment: list[str] = []
        segments: list[list[str]] = []
        for x, value in sorted(pts, key=lambda p: p[0]):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{px(x):.1f},{py(value):.1f}")
        if segment:
            segments.append(segment)
        for seg in segments:
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} '
                       f'points="{" ".join(seg)}"/>')
            for p in seg:
                cx, cy = p.split(",")
                out.append(f'<circle cx="{cx}" cy="{cy}" r="2.6" fill="{color}"/>')
    # legend under the plot, in rows of up to four entries
    lx, ly = left, top + ph + 42
    for i, name in enumerate(series):
        color = _color(name.split(" ")[0], i)
        col, row = i % 4, i // 4
        x, y = lx + col * (pw / 4), ly + row * 13
        dash = ' stroke-dasharray="5,3"' if name in dashed else ""
        out.append(f'<line x1="{x:.1f}" x2="{x + 14:.1f}" y1="{y - 4}" y2="{y - 4}" '
                   f'stroke="{color}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{x + 17:.1f}" y="{y}" font-size="10">{_e(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def bar_chart(groups: Mapping[str, Mapping[str, float | None]], *, title: str, y_label: str = "",
              width: int = 360, height: int = 250) -> str:
    """Grouped bars: ``{"p50": {"bm25": 3.1, ...}, "p95": {...}}``."""
    left, right, top, bottom = 48, 12, 28, 58
    pw, ph = width - left - right, height - top - bottom
    names = list(dict.fromkeys(n for g in groups.values() for n in g))
    values = [v for g in groups.values() for v in g.values() if v is not None]
    hi = max(values, default=1.0) * 1.1 or 1.0
    ticks = _nice_ticks(0, hi)
    hi = max(hi, ticks[-1])
    out = _svg_open(width, height, title)
    for t in ticks:
        y = top + ph - t / hi * ph
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" '
                   'stroke="#eee"/><text x="' f'{left - 5}" y="{y + 4:.1f}" '
                   f'text-anchor="end" font-size="10">{_fmt_tick(t)}</text>')
    gw = pw / max(len(groups), 1)
    bw = gw * 0.8 / max(len(names), 1)
    for gi, (group, vals) in enumerate(groups.items()):
        gx = left + gi * gw + gw * 0.1
        for ni, name in enumerate(names):
            v = vals.get(name)
            if v is None:
                continue
            h = v / hi * ph
            out.append(f'<rect x="{gx + ni * bw:.1f}" y="{top + ph - h:.1f}" '
                       f'width="{bw * 0.92:.1f}" height="{h:.1f}" fill="{_color(name, ni)}">'
                       f'<title>{_e(name)} {_e(group)}: {v:g}</title></rect>')
        out.append(f'<text x="{gx + gw * 0.4:.1f}" y="{top + ph + 14}" text-anchor="middle" '
                   f'font-size="10">{_e(group)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
               'stroke="#999"/>')
    if y_label:
        out.append(f'<text transform="translate(12,{top + ph / 2}) rotate(-90)" '
                   f'text-anchor="middle" font-size="11">{_e(y_label)}</text>')
    for i, name in enumerate(names):
        x, y = left + (i % 4) * (pw / 4), top + ph + 42 + (i // 4) * 13
        out.append(f'<rect x="{x:.1f}" y="{y - 9}" width="10" height="10" '
                   f'fill="{_color(name, i)}"/><text x="{x + 14:.1f}" y="{y}" '
                   f'font-size="10">{_e(name)}</text>')
    out.append("</svg>")
    return "".join(out)


# ------------------------------------------------------------------ sections
def _fmt(v: Any, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{v:.{digits}f}" if isinstance(v, float) else _e(v)


def _dataset_section(report: Mapping[str, Any]) -> list[str]:
    from .report import TABLE_METRICS, category_label

    methods = list(report["methods"])
    entries = report["methods"]
    first = entries[methods[0]]
    ks = report.get("config", {}).get("ks", [1, 5, 10, 20, 50])
    cats: list[tuple[str, str | None]] = [("overall", None)] + [
        (category_label(report, c), c) for c in first["by_category"]]
    retrieve = _e(report.get("config", {}).get("retrieve", 50))
    parts = ["<h2>Recall@k by category</h2>",
             ("<p>Turn-level <code>recall_all@k</code> (every evidence turn in the top k), "
              f"per category and method, from one top-{retrieve} ranking per question.</p>"),
             '<div class="grid">']
    for label, cat in cats:
        series = {}
        for m in methods:
            cell = entries[m]["overall"] if cat is None else entries[m]["by_category"].get(cat, {})
            series[m] = [(k, cell.get(f"recall_all@{k}")) for k in ks]
        n = (first["overall"] if cat is None else first["by_category"].get(cat, {})).get(
            "n_scored", 0)
        title = (f"overall ({', '.join(report.get('overall_categories', []))})"
                 if cat is None and isinstance(report.get("overall_categories"), list)
                 else label)
        parts.append(line_chart(series, title=f"{title} · n={n}", x_label="k (log scale)",
                                y_label="recall_all@k", x_log=True, y_range=(0, 1)))
    session = {m: [(k, entries[m]["overall"].get(f"session_recall_all@{k}")) for k in ks]
               for m in methods}
    parts.append(line_chart(session, title="overall, session level", x_label="k (log scale)",
                            y_label="session recall_all@k", x_log=True, y_range=(0, 1)))
    parts.append(bar_chart({p: {m: entries[m]["latency_ms"].get(p) for m in methods}
                            for p in ("p50", "p95", "p99")},
                           title="search latency", y_label="ms"))
    parts.append("</div>")
    # table
    parts.append("<h2>All measures</h2><table><tr><th class='l'>category</th>"
                 "<th class='l'>metric</th>" + "".join(f"<th>{_e(m)}</th>" for m in methods)
                 + "</tr>")
    for label, cat in cats:
        cells = {m: entries[m]["overall"] if cat is None else entries[m]["by_category"].get(cat, {})
                 for m in methods}
        n = cells[methods[0]].get("n_scored", 0)
        for i, metric in enumerate(TABLE_METRICS):
            vals = [cells[m].get(metric) for m in methods]
            best = max((v for v in vals if isinstance(v, (int, float))), default=None)
            tds = "".join(f"<td><b class='best'>{_fmt(v)}</b></td>" if v is not None and
                          v == best and len(methods) > 1 else f"<td>{_fmt(v)}</td>" for v in vals)
            cls = " class='sec'" if i == 0 else ""
            first_col = _e(label) if i == 0 else (f"n={n}" if i == 1 else "")
            parts.append(f"<tr{cls}><td class='l'>{first_col}</td><td class='l'>"
                         f"{_e(metric)}</td>{tds}</tr>")
    ck = report.get("config", {}).get("context_k", 10)
    rows = [(f"latency {p} (ms)", [entries[m]["latency_ms"].get(p) for m in methods], 1)
            for p in ("p50", "p95", "p99")]
    rows.append((f"context tokens@{ck}", [entries[m].get(f"context_tokens@{ck}")
                                          for m in methods], 0))
    if any("qa" in entries[m] for m in methods):
        rows.append(("QA F1", [entries[m].get("qa", {}).get("qa_f1") for m in methods], 3))
        rows.append(("QA judge", [entries[m].get("qa", {}).get("qa_judge") for m in methods], 3))
    for i, (name, vals, d) in enumerate(rows):
        cls = " class='sec'" if i == 0 else ""
        parts.append(f"<tr{cls}><td class='l'>{'cost' if i == 0 else ''}</td><td class='l'>"
                     f"{_e(name)}</td>" + "".join(f"<td>{_fmt(v, d)}</td>" for v in vals)
                     + "</tr>")
    parts.append("</table>")
    return parts


def _scale_section(scale: Mapping[str, Any]) -> list[str]:
    # a build-only run (no searches) has nothing to chart
    runs = sorted((r for r in scale["runs"] if "methods" in r), key=lambda r: r["n_turns"])
    methods = list(runs[0]["methods"]) if runs else []
    parts = ["<h2>Scale</h2>",
             (f"<p>Synthetic multi-user chat corpus (seed {_e(scale['seed'])}, embedder "
              f"<code>{_e(scale['embedder'])}</code>); {_e(scale['queries_per_size'])} needle "
              "queries per size, half on the heavy user "
              f"({_e(int(scale['heavy_share'] * 100))}% of all turns).</p>"),
             '<div class="grid">']
    lat = {}
    dashed = []
    for m in methods:
        lat[f"{m} p50"] = [(r["n_turns"], r["methods"][m]["latency_ms"].get("p50")) for r in runs]
        lat[f"{m} p95"] = [(r["n_turns"], r["methods"][m]["latency_ms"].get("p95")) for r in runs]
        dashed.append(f"{m} p95")
    parts.append(line_chart(lat, title="search latency vs corpus size", x_label="turns (log)",
                            y_label="ms", x_log=True, dashed=dashed, width=420, height=290))
    heavy = {f"{m} p50": [(r["n_turns"], r["methods"][m]["heavy_user_latency_ms"].get("p50"))
                          for r in runs] for m in methods}
    parts.append(line_chart(heavy, title="heavy user p50 vs corpus size",
                            x_label="turns (log)", y_label="ms", x_log=True))
    parts.append(line_chart({"turns/s": [(r["n_turns"], (r.get("ingest") or {}).get("turns_per_s"))
                                         for r in runs]},
                            title="ingest throughput", x_label="turns (log)",
                            y_label="turns/s", x_log=True))
    parts.append(line_chart({"db MB": [(r["n_turns"], r["db_mb"]) for r in runs],
                             "peak RSS MB": [(r["n_turns"], r["peak_rss_mb"]) for r in runs]},
                            title="disk and memory", x_label="turns (log)", y_label="MB",
                            x_log=True))
    parts.append("</div><table><tr><th>turns</th><th>users</th><th>sessions</th>"
                 "<th>ingest turns/s</th><th>db MB</th><th>peak RSS MB</th>"
                 + "".join(f"<th>{_e(m)} p50/p95 ms</th><th>{_e(m)} needle@10</th>"
                           for m in methods) + "</tr>")
    for r in runs:
        cells = "".join(
            f"<td>{_fmt(r['methods'][m]['latency_ms'].get('p50'), 1)} / "
            f"{_fmt(r['methods'][m]['latency_ms'].get('p95'), 1)}</td>"
            f"<td>{_fmt(r['methods'][m].get('needle_recall@10'))}</td>" for m in methods)
        parts.append(f"<tr><td>{r['n_turns']:,}</td><td>{r['users']}</td><td>{_fmt(r.get('sessions'))}"
                     f"</td><td>{_fmt((r.get('ingest') or {}).get('turns_per_s'), 1)}</td>"
                     f"<td>{_fmt(r['db_mb'], 1)}</td><td>{_fmt(r['peak_rss_mb'], 0)}</td>"
                     f"{cells}</tr>")
    parts.append("</table>")
    return parts


def _top_hit_note(ab: Mapping[str, Any]) -> str:
    top = ab.get("top_hit")
    if not top:
        return ""
    return (f" Among the answerable questions with evidence, the best hit is an evidence turn "
            f"for {_e(top['evidence_at_1'])} of {_e(top['n'])}; confidence tells those apart "
            f"with AUROC {_fmt(top.get('auroc'))}.")


def _abstention_section(ab: Mapping[str, Any]) -> list[str]:
    curve = ab["curve"]
    series = {
        "precision": [(r["threshold"], r["precision"]) for r in curve],
        "recall": [(r["threshold"], r["recall"]) for r in curve],
        "answer recall": [(r["threshold"], r["answer_recall"]) for r in curve],
    }
    mean = ab.get("mean_confidence", {})
    parts = ["<h2>Abstention</h2>",
             (f"<p>Method <code>{_e(ab['method'])}</code>: a question is abstained on when "
              "its <code>Recall.confidence</code> (best hit's calibrated confidence) is below "
              f"the threshold. Unanswerable = {_e(ab['unanswerable'])} "
              f"({_e(ab['n_unanswerable'])} questions), answerable = the others "
              f"({_e(ab['n_answerable'])}). Mean confidence {_fmt(mean.get('answerable'))} "
              f"(answerable) vs {_fmt(mean.get('unanswerable'))} (unanswerable); AUROC "
              f"{_fmt(ab.get('auroc'))} (0.5 = chance).{_top_hit_note(ab)}</p>"),
             '<div class="grid">',
             line_chart(series, title="abstaining: precision, recall; answering: recall",
                        x_label="confidence threshold", y_label="rate", y_range=(0, 1),
                        width=420),
             ("</div><table><tr><th>threshold</th><th>abstained</th>"
              "<th>abstention precision</th><th>abstention recall</th>"
              "<th>answer recall</th></tr>")]
    for r in curve:
        parts.append(f"<tr><td>{_e(r['threshold'])}</td><td>{_e(r['abstained'])}</td>"
                     f"<td>{_fmt(r['precision'])}</td><td>{_fmt(r['recall'])}</td>"
                     f"<td>{_fmt(r['answer_recall'])}</td></tr>")
    parts.append("</table>")
    return parts


def _signed(v: Any) -> str:
    if not isinstance(v, (int, float)):
        return ""
    if v == 0:
        return " <small>±0</small>"
    color = "#1a7f37" if v > 0 else "#b42318"
    return f" <small style='color:{color}'>{v:+.3f}</small>"


def _flips(q: Mapping[str, Any] | None) -> str:
    return f"+{_e(q['gained'])} / -{_e(q['lost'])}" if q else ""


def _ablation_section(report: Mapping[str, Any]) -> list[str]:
    from .report import category_label

    ab = report["ablation"]
    metric = ab["metric"]
    cats = ab["table_categories"]
    ck = f"context_tokens@{report.get('config', {}).get('context_k', 10)}"
    parts = ["<h2>Ablation</h2>",
             (f"<p>Turn-level <code>{_e(metric)}</code> of the full <code>engram</code> "
              "method with one technique changed at a time; the small figures are the change "
              "against the full method. Search-stage variants search the same database, "
              "ingest-stage variants have their own.</p>"),
             "<table><tr><th class='l'>variant</th><th class='l'>stage</th>"
             f"<th>{_e(metric)}</th><th>questions +/-</th>"
             + "".join(f"<th>{_e(category_label(report, c))}</th>" for c in cats)
             + f"<th>{_e(ck)}</th><th>p50 ms</th><th>p95 ms</th><th class='l'>what</th></tr>"]
    stage = None
    for r in ab["rows"]:
        cls = " class='sec'" if stage is not None and r["stage"] != stage else ""
        stage = r["stage"]
        full = r["stage"] == "full"
        cells = "".join(
            f"<td>{_fmt(r['by_category'].get(c, {}).get(metric))}"
            f"{'' if full else _signed(r['by_category'].get(c, {}).get('delta'))}</td>"
            for c in cats)
        lat = r.get("latency_ms", {})
        name = f"<b>{_e(r['label'])}</b>" if full else _e(r["label"])
        parts.append(f"<tr{cls}><td class='l'>{name}</td><td class='l'>{_e(r['stage'])}</td>"
                     f"<td>{_fmt(r.get(metric))}{'' if full else _signed(r.get('delta'))}</td>"
                     f"<td>{_flips(r.get('questions'))}</td>{cells}<td>{_fmt(r.get(ck), 0)}</td><td>{_fmt(lat.get('p50'), 1)}</td>"
                     f"<td>{_fmt(lat.get('p95'), 1)}</td><td class='l'>{_e(r['what'])}</td>"
                     "</tr>")
    parts.append("</table>")
    return parts


def render_html(report: Mapping[str, Any]) -> str:
    """The whole page for a dataset report, a scale report, or both merged."""
    title = f"engram bench · {report.get('dataset', '')}"
    machine = report.get("machine", {})
    meta = [f"date {_e(report.get('date', ''))}",
            (f"machine {_e(machine.get('cpu', '?'))}, {_e(machine.get('cores', '?'))} cores, "
             f"{_e(machine.get('ram_gb', '?'))} GB RAM")]
    if report.get("file"):
        meta.append(f"file <code>{_e(report['file'])}</code>")
    if report.get("embedder"):
        meta.append(f"embedder <code>{_e(report['embedder'])}</code>")
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{_e(title)}</h1><p class='meta'>{' · '.join(meta)}</p>"]
    if report.get("categories"):
        names = ", ".join(f"{_e(k)} {_e(v)}" for k, v in report["categories"].items())
        parts.append(f"<p>LoCoMo categories: {names}. Overall = categories "
                     f"{_e(', '.join(report.get('overall_categories', [])))}; category 5 "
                     "is reported on its own.</p>")
    if "methods" in report:
        parts += _dataset_section(report)
    if report.get("ablation"):
        parts += _ablation_section(report)
    if report.get("abstention"):
        parts += _abstention_section(report["abstention"])
    if "scale" in report:
        parts += _scale_section(report["scale"])
    body = {k: v for k, v in report.items() if k != "per_question"}
    parts.append("<details><summary>report.json</summary><pre>"
                 f"{_e(json.dumps(body, indent=2, default=str))}</pre></details>")
    parts.append("</body></html>")
    return "\n".join(parts)
