"""The Clients screen's list in SQL: filter, pages, positions and totals.

Each figure is checked against ``clients.list`` (every client read whole), so a
page of the screen and the command line agree. Runs on SQLite and, when the
suite has one, PostgreSQL.
"""

from __future__ import annotations

import pytest

from cp_tui.bootstrap import Services
from cp_tui.services.client_list import ClientFilter
from tests.conftest import Practice


@pytest.fixture
def crowd(services: Services, practice: Practice) -> list[int]:
    """Twelve clients with items, an invoice, a payment, credit, and one archived."""
    names = [
        ("Élodie Martin", "elodie@example.com"),
        ("Zoë Brooks", "zoe@example.com"),
        ("alex rivera", "alex@example.com"),
        ("Alex Rivera", "alex.r@example.org"),
        ("Sam 100%_Focus", "sam@example.com"),
        ("Priya Nair", "priya@example.net"),
    ] + [(f"Client {n:02d}", f"c{n}@example.com") for n in range(6)]
    ids = [practice.client(name, email) for name, email in names]
    for n, client in enumerate(ids):
        services.items.add(client_id=client, description="Session", price=f"{100 + n}.00")
        services.items.add(client_id=client, description="Report", price="25.06", tax_rate="15")
    for client in ids[:4]:
        services.invoices.create(
            client_id=client,
            item_ids=[services.items.list(client_id=client, uninvoiced=True)[0].id],
        )
    first = services.invoices.list(client_id=ids[0])[0].number
    services.payments.record(first, amount="40.00", method="cash")
    services.credits.add(client_id=ids[1], amount="12.50", reason="Late start")
    services.clients.remove(ids[-1])  # has items: archived, not deleted
    return ids


def every_page(services: Services, wanted: ClientFilter, limit: int) -> list[int]:
    shown: list[int] = []
    for offset in range(0, 20, limit):
        shown += [c.id for c in services.clients.page(wanted, offset=offset, limit=limit)]
    return shown


@pytest.mark.parametrize("include_archived", [False, True])
def test_pages_and_totals_agree_with_the_whole_list(
    services: Services, crowd: list[int], include_archived: bool
) -> None:
    whole = services.clients.list(include_archived=include_archived)
    wanted = ClientFilter(include_archived=include_archived)
    assert every_page(services, wanted, 5) == [c.id for c in whole]
    pages = [c for o in (0, 5, 10) for c in services.clients.page(wanted, offset=o, limit=5)]
    assert pages == whole  # the same read models, balances and all
    totals = services.clients.totals(wanted)
    assert totals.shown == totals.every == len(whole)
    assert totals.uninvoiced == sum(c.uninvoiced_total for c in whole)
    assert totals.balance_due == sum(c.balance_due for c in whole)
    assert totals.credit == sum(c.credit_balance for c in whole)
    assert totals.uninvoiced > 0 and totals.balance_due > 0 and totals.credit == 1250


def test_the_filter_matches_every_word_in_name_or_email_case_ignored(
    services: Services, crowd: list[int]
) -> None:
    def shown(text: str) -> list[str]:
        return [c.name for c in services.clients.page(ClientFilter.of(text), offset=0, limit=50)]

    assert shown("RIVERA") == ["alex rivera", "Alex Rivera"]
    assert shown("rivera example.org") == ["Alex Rivera"]
    assert shown("zoë") == ["Zoë Brooks"]
    if services.db.engine.dialect.name == "sqlite":
        # PostgreSQL folds letters by its database's locale: ASCII only under "C".
        assert shown("élodie") == ["Élodie Martin"]
        assert shown("ÉLODIE") == ["Élodie Martin"]
        assert shown("ZOË") == ["Zoë Brooks"]
    assert shown("100%_") == ["Sam 100%_Focus"]  # wildcards are literal
    assert shown("%") == ["Sam 100%_Focus"]
    assert shown("nobody") == []
    totals = services.clients.totals(ClientFilter.of("rivera"))
    rivera = [c for c in services.clients.list() if "rivera" in c.name.casefold()]
    assert (totals.shown, totals.every) == (2, 11)
    assert totals.balance_due == sum(c.balance_due for c in rivera)
    assert totals.uninvoiced == sum(c.uninvoiced_total for c in rivera)


def test_position_is_the_row_of_a_client_or_none_when_hidden(
    services: Services, crowd: list[int]
) -> None:
    everyone = ClientFilter()
    order = [c.id for c in services.clients.list()]
    assert [services.clients.position(everyone, c) for c in order] == list(range(len(order)))
    assert services.clients.position(everyone, crowd[-1]) is None  # archived
    assert services.clients.position(ClientFilter(include_archived=True), crowd[-1]) is not None
    assert services.clients.position(ClientFilter.of("rivera"), crowd[3]) == 1
    assert services.clients.position(ClientFilter.of("rivera"), crowd[0]) is None
