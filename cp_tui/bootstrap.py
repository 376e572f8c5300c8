"""The one composition root: settings -> engine -> services.

The command line, the TUI and the tests all build cp-tui through
``build_services``; nothing is created at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from cp_tui.clock import Clock, SystemClock
from cp_tui.config import Settings
from cp_tui.services.calendar import CalendarService
from cp_tui.services.catalogue import CatalogueService
from cp_tui.services.clients import ClientService
from cp_tui.services.credits import CreditService
from cp_tui.services.demo import DemoService
from cp_tui.services.invoicing import InvoiceService
from cp_tui.services.items import ItemService
from cp_tui.services.payments import PaymentService
from cp_tui.services.practice import PracticeService
from cp_tui.store import Database, StoreError, open_engine


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    clock: Clock
    db: Database
    practice: PracticeService
    clients: ClientService
    catalogue: CatalogueService
    calendar: CalendarService
    items: ItemService
    invoices: InvoiceService
    credits: CreditService
    payments: PaymentService
    demo: DemoService

    def close(self) -> None:
        self.db.dispose()


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Open (creating or upgrading) the database and wire every service to it."""
    clock = clock or SystemClock()
    try:
        db = Database(open_engine(settings.database_url))
    except StoreError:
        raise
    except Exception as exc:  # a driver error names the server, not the fix
        raise StoreError(
            f"cannot open the database at {settings.database_url.split('@')[-1]}: {exc}"
        ) from exc
    practice = PracticeService(db, clock)
    clients = ClientService(db, clock)
    catalogue = CatalogueService(db, clock)
    calendar = CalendarService(db, clock)
    items = ItemService(db, clock)
    invoices = InvoiceService(db, clock)
    credits = CreditService(db, clock)
    payments = PaymentService(db, clock)
    return Services(
        settings=settings,
        clock=clock,
        db=db,
        practice=practice,
        clients=clients,
        catalogue=catalogue,
        calendar=calendar,
        items=items,
        invoices=invoices,
        credits=credits,
        payments=payments,
        demo=DemoService(db, clock),
    )
