"""The monthly report's price moves by competitor and by product category: the market's one
price-move rule (`research.market.price_moves_between`) over the month."""

from __future__ import annotations

import pandas as pd

from research.data.labels import Labels
from research.i18n import fmt_percent, t
from research.market import PRICE_MOVE_THRESHOLD, company_label, price_moves_between
from research.present.model import ExportSlide, RenderContext, SlideContent, SlideKind
from research.present.report.common import (
    MAX_BARS, TEAL, VIOLET, Section, active_companies, company_bar_chart, company_native, count_text,
    grouped_bar_chart, grouped_native, join_sentences, percent_text, section_subtitle,
)
from research.present.report.month import Month
from research.store import Store


def price_section(store: Store, month: Month, ctx: RenderContext, lang: str, names: Labels) -> Section:
    moves = price_moves_between(store, month.start, month.end)
    # A product without a category counts under "–"; categories show by their names in `lang`.
    moves["category"] = names.series("category", _category_or_dash(moves["category"]))
    companies = active_companies(store)
    threshold = fmt_percent(PRICE_MOVE_THRESHOLD, lang)
    in_month = month.in_month(lang)
    subtitle = section_subtitle(month, lang, t("report.prices.subtitle", lang, threshold=threshold))
    source = t("report.prices.source", lang)
    notes = t("report.prices.notes", lang, threshold=threshold, in_month=in_month)

    moves["up"] = moves["change"] > 0
    per_company = (
        moves.groupby("company_id")
        .agg(moves=("change", "size"), up=("up", "sum"), avg=("change", "mean"))
        .reindex(companies["id"]).fillna({"moves": 0, "up": 0})
    )
    main_category = (
        moves.groupby(["company_id", "category"]).size().reset_index(name="k")
        .sort_values(["company_id", "k", "category"], ascending=[True, False, True])
        .drop_duplicates("company_id").set_index("company_id")["category"]
    ) if not moves.empty else pd.Series(dtype=object)
    table_rows = []
    for company_id, name, is_us in zip(companies["id"], companies["name"], companies["is_us"]):
        stats = per_company.loc[company_id]
        n = int(stats["moves"])
        table_rows.append({
            "label": company_label(name, bool(is_us), lang), "is_us": bool(is_us), "name": name,
            "moves": n, "up": int(stats["up"]), "down": n - int(stats["up"]),
            "avg": float(stats["avg"]) if n else None, "category": main_category.get(company_id, "") if n else "",
        })
    frame = pd.DataFrame(table_rows, columns=["label", "is_us", "name", "moves", "up", "down", "avg", "category"])
    frame = frame.sort_values(["moves", "is_us", "label"], ascending=[False, False, True])
    frame = frame.reset_index(drop=True)
    table = pd.DataFrame({
        t("col.company", lang): frame["label"],
        t("report.col.moves", lang): frame["moves"].astype(int),
        t("report.col.increases", lang): frame["up"].astype(int),
        t("report.col.cuts", lang): frame["down"].astype(int),
        t("report.col.avg_change", lang): [percent_text(float(v), lang, signed=True) if pd.notna(v) else "–" for v in frame["avg"]],
        t("report.col.main_category", lang): [c or "–" for c in frame["category"]],
    })

    total = len(moves)
    up = int(moves["up"].sum()) if total else 0
    title = t("report.prices.title", lang)
    if total == 0:
        text = t("report.prices.none", lang, in_month=in_month)
        company_slide = ExportSlide(SlideKind.VIEW, SlideContent(title=title, subtitle=subtitle, text=text, source=source,
                                                         table=table if not frame.empty else None), notes)
        category_slide = ExportSlide(SlideKind.VIEW, SlideContent(
            title=t("report.prices.category_title", lang), subtitle=subtitle, text=text, source=source), notes)
        return Section((company_slide, category_slide), text)

    key = "report.prices.total.one" if total == 1 else "report.prices.total"
    sentences = [t(key, lang, n=count_text(total, lang), up=count_text(up, lang), down=count_text(total - up, lang), threshold=threshold,
                   in_month=in_month)]
    competitors = frame[~frame["is_us"] & (frame["moves"] > 0)]
    if not competitors.empty:
        lead = competitors.iloc[0]
        k, ups, downs = int(lead["moves"]), int(lead["up"]), int(lead["down"])
        company_moves = moves[moves["company"] == lead["name"]]
        if downs == k or ups == k:
            key = ("report.prices.leader_cut" if downs == k else "report.prices.leader_raise") + (".one" if k == 1 else "")
            values = {"company": lead["name"], "pct": percent_text(float(company_moves["change"].abs().mean()), lang),
                      "category": lead["category"]}
            sentences.append(t(key, lang, **values) if k == 1 else t(key, lang, k=count_text(k, lang), **values))
        else:
            sentences.append(t("report.prices.leader_mixed", lang, company=lead["name"], k=count_text(k, lang),
                               up=count_text(ups, lang), down=count_text(downs, lang), category=lead["category"]))
    us = frame[frame["is_us"]]
    if not us.empty:
        ours = us.iloc[0]
        sentences.append(
            t("report.prices.us.one", lang, company=ours["name"]) if ours["moves"] == 1
            else t("report.prices.us", lang, company=ours["name"], k=count_text(ours["moves"], lang)) if ours["moves"]
            else t("report.prices.us_none", lang, company=ours["name"])
        )
    text = join_sentences(*sentences)
    chart_frame = frame[["label", "is_us", "moves"]]
    company_slide = ExportSlide(SlideKind.VIEW, SlideContent(
        title=title, subtitle=subtitle, text=text, source=source, table=table,
        chart=company_bar_chart(chart_frame, "moves", t("report.col.moves", lang), title, subtitle),
        native=company_native(list(frame["label"]), list(frame["moves"]), y_title=t("report.col.moves", lang)),
    ), notes)

    # by product category
    by_cat = (
        moves.groupby("category")
        .agg(moves=("change", "size"), up=("up", "sum"), avg=("change", "mean"),
             companies=("company", lambda s: ", ".join(sorted(set(s)))))
        .reset_index().sort_values(["moves", "category"], ascending=[False, True]).reset_index(drop=True)
    )
    by_cat["down"] = by_cat["moves"] - by_cat["up"]
    lead = by_cat.iloc[0]
    cat_sentences = [t("report.prices.category_lead", lang, category=lead["category"], k=count_text(lead["moves"], lang),
                       up=count_text(lead["up"], lang), down=count_text(lead["down"], lang), pct=percent_text(float(lead["avg"]), lang, True))]
    if len(by_cat) > 1:
        nxt = by_cat.iloc[1]
        cat_sentences.append(t("report.prices.category_next", lang, category=nxt["category"], k=count_text(nxt["moves"], lang)))
        cat_sentences.append(t("report.prices.categories", lang, n=count_text(len(by_cat), lang)))
    cat_title = t("report.prices.category_title", lang)
    drawn = by_cat.head(MAX_BARS)
    series = [("up", t("report.series.increases", lang), TEAL), ("down", t("report.series.cuts", lang), VIOLET)]
    cat_table = pd.DataFrame({
        t("col.category", lang): by_cat["category"],
        t("report.col.moves", lang): by_cat["moves"].astype(int),
        t("report.col.increases", lang): by_cat["up"].astype(int),
        t("report.col.cuts", lang): by_cat["down"].astype(int),
        t("report.col.avg_change", lang): [percent_text(float(v), lang, signed=True) for v in by_cat["avg"]],
        t("report.col.companies", lang): by_cat["companies"],
    })
    category_slide = ExportSlide(SlideKind.VIEW, SlideContent(
        title=cat_title, subtitle=subtitle, text=join_sentences(*cat_sentences), source=source, table=cat_table,
        chart=grouped_bar_chart(drawn, t("col.category", lang), series, cat_title, subtitle),
        native=grouped_native(drawn, series),
    ), notes)
    return Section((company_slide, category_slide), sentences[0])


def _category_or_dash(categories: pd.Series) -> pd.Series:
    """Each category without the spaces around it, "–" for none (SQL's coalesce(nullif(trim(c), ''), '–'))."""
    return pd.Series([c.strip(" ") if isinstance(c, str) and c.strip(" ") else "–" for c in categories],
                     index=categories.index, dtype=object)
