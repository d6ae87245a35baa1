"""A tiny workspace with known deals for the win/loss tests: every figure is worked out by hand below.

Companies: Danubia (us), Alpha, Beta. Accounts:
  A1 Food & beverage, Western Balkans,    30 employees,  €1M revenue  (bands lt50, lt2m)
  A2 Chemicals,       Central Europe,    300 employees, €20M revenue  (bands 250_999, 10m_50m)
  A3 Food & beverage, Central Europe,  2,000 employees, €60M revenue  (bands 1000plus, 50mplus)
RSD rates: 100 per EUR from 2026-01-01, 125 from 2026-03-01. USD has no rate.

deal  account outcome competitor value           closed      reasons              EUR
d1    A1      won     Alpha      10,000 EUR      2026-01-15  quality, relationship 10,000
d2    A1      lost    Alpha      20,000 EUR      2026-01-20  price                 20,000
d3    A2      lost    Alpha     500,000 RSD      2025-12-20  price, lead time       5,000 (before the first rate: 100)
d4    A2      won     Alpha   1,250,000 RSD      2026-03-05  quality               10,000 (rate 125)
d5    A3      lost    Alpha      30,000 EUR      2026-04-02  price                 30,000
d6    A3      lost    Beta       40,000 EUR      2026-04-10  relationship          40,000
d7    A1      won     Beta       15,000 EUR      2026-05-01  price                 15,000
d8    A2      lost    Beta        1,000 USD      2026-05-20  lead time             no rate: counted, not valued
d9    A3      won     (none)     25,000 EUR      2026-06-30  (none)                25,000
d10   A1      lost    Beta        8,000 EUR      (no date)   price                  8,000
d11   A2      open    Alpha      99,999 EUR      (no date)   price                 open: counted nowhere

Overall: 4 won (€60,000), 6 lost (€103,000; d8 not valued), win rate 40 %, 1 open.
Alpha: 2 won (€20,000), 3 lost (€55,000): 40 %.  Beta: 1 won (€15,000), 3 lost (€48,000): 25 %.
None named: 1 won (€25,000): 100 %.
Food & beverage (A1, A3): 3 won (€50,000), 4 lost (€98,000).  Chemicals (A2): 1 won (€10,000), 2 lost (€5,000).
Western Balkans (A1): 2 won, 2 lost.  Central Europe (A2, A3): 2 won, 4 lost.
Months: 2025-12 0/1, 2026-01 1/2, 2026-02 –, 2026-03 1/1, 2026-04 0/2, 2026-05 1/2, 2026-06 1/1; d10 undated.
Quarters: 2025 Q4 0/1, 2026 Q1 2/3, 2026 Q2 2/5.
Reasons lost: price 4 deals (€63,000), lead time 2 (€5,000), relationship 1 (€40,000).
Reasons won: quality 2 (€20,000), relationship 1 (€10,000), price 1 (€15,000), none recorded 1 (€25,000).
Against Alpha: lost on price 3 (€55,000), lead time 1 (€5,000); won on quality 2 (€20,000), relationship 1 (€10,000).
Against Beta: lost on relationship 1 (€40,000), price 1 (€8,000), lead time 1 (not valued); won on price 1 (€15,000).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from research.data import labels
from research.store import Store

US, ALPHA, BETA = "Danubia Packaging", "Alpha Karton", "Beta Pack"

ACCOUNTS = {
    "A1": dict(industry="Food & beverage", region="Western Balkans", employees=30, annual_revenue=Decimal("1000000")),
    "A2": dict(industry="Chemicals", region="Central Europe", employees=300, annual_revenue=Decimal("20000000")),
    "A3": dict(industry="Food & beverage", region="Central Europe", employees=2000, annual_revenue=Decimal("60000000")),
}

DEALS = [  # (key, account, outcome, competitor, value, currency, closed_on, reason codes)
    ("d1", "A1", "won", ALPHA, "10000", "EUR", dt.date(2026, 1, 15), ("quality", "relationship")),
    ("d2", "A1", "lost", ALPHA, "20000", "EUR", dt.date(2026, 1, 20), ("price",)),
    ("d3", "A2", "lost", ALPHA, "500000", "RSD", dt.date(2025, 12, 20), ("price", "lead_time")),
    ("d4", "A2", "won", ALPHA, "1250000", "RSD", dt.date(2026, 3, 5), ("quality",)),
    ("d5", "A3", "lost", ALPHA, "30000", "EUR", dt.date(2026, 4, 2), ("price",)),
    ("d6", "A3", "lost", BETA, "40000", "EUR", dt.date(2026, 4, 10), ("relationship",)),
    ("d7", "A1", "won", BETA, "15000", "EUR", dt.date(2026, 5, 1), ("price",)),
    ("d8", "A2", "lost", BETA, "1000", "USD", dt.date(2026, 5, 20), ("lead_time",)),
    ("d9", "A3", "won", None, "25000", "EUR", dt.date(2026, 6, 30), ()),
    ("d10", "A1", "lost", BETA, "8000", "EUR", None, ("price",)),
    ("d11", "A2", "open", ALPHA, "99999", "EUR", None, ("price",)),
]

SERBIAN = {  # the workspace's Serbian names of its industries and regions
    ("industry", "Food & beverage"): "Храна и пиће",
    ("industry", "Chemicals"): "Хемијска индустрија",
    ("region", "Western Balkans"): "Западни Балкан",
    ("region", "Central Europe"): "Централна Европа",
}


def fill(store: Store) -> dict[str, int]:
    """Write the fixture into an empty workspace; returns the ids by name (companies, accounts, deals)."""
    ids: dict[str, int] = {}
    with store.transaction("tester") as tx:
        for name, is_us in ((US, True), (ALPHA, False), (BETA, False)):
            ids[name] = int(tx.insert("companies", {"name": name, "is_us": is_us})["id"])
        for currency, valid_on, per_eur in (("RSD", dt.date(2026, 1, 1), "100"), ("RSD", dt.date(2026, 3, 1), "125")):
            tx.execute("INSERT INTO exchange_rates (currency, valid_on, per_eur) VALUES (?, ?, ?)",
                       [currency, valid_on, Decimal(per_eur)])
        for key, values in ACCOUNTS.items():
            row = tx.insert("accounts", {"name": f"Account {key}", "country": "RS", "status": "prospect",
                                         "revenue_currency": "EUR", **values})
            ids[key] = int(row["id"])
        reasons = {r["code"]: int(r["id"]) for r in tx.execute("SELECT id, code FROM deal_reasons").df().to_dict("records")}
        for key, account, outcome, competitor, value, currency, closed_on, codes in DEALS:
            row = tx.insert("deals", {"account_id": ids[account], "outcome": outcome,
                                      "competitor_id": ids[competitor] if competitor else None,
                                      "value": Decimal(value), "currency": currency, "closed_on": closed_on})
            ids[key] = int(row["id"])
            for code in codes:
                tx.insert("deal_reason_links", {"deal_id": ids[key], "reason_id": reasons[code]})
    for (domain, value), serbian in SERBIAN.items():
        labels.set_label(store, "tester", domain, value, label_en=value, label_sr=serbian)
    return ids
