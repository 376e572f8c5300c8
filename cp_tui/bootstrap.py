"""The one composition root: settings -> engine -> services.

The command line, the TUI and the tests all build cp-tui through
``build_services``; nothing is created at import time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from cp_tui.clock import Clock, SystemClock
from cp_tui.config import Settings
from cp_tui.presence import PracticeInUse, hold
from cp_tui.services.batch import BatchService
from cp_tui.services.calendar import CalendarService
from cp_tui.services.card_common import GatewayFactory
from cp_tui.services.card_payments import CardPaymentService
from cp_tui.services.cards import CardService
from cp_tui.services.catalogue import CatalogueService
from cp_tui.services.clients import ClientService
from cp_tui.services.credits import CreditService
from cp_tui.services.demo import DemoService
from cp_tui.services.documents import DocumentService, PaymentLinks
from cp_tui.services.drafts import DraftService
from cp_tui.services.errors import DomainError
from cp_tui.services.fees import FeeService
from cp_tui.services.gateway import PaymentGateway
from cp_tui.services.insurance import InsuranceService
from cp_tui.services.invoicing import InvoiceService
from cp_tui.services.items import ItemService
from cp_tui.services.mail import MailService
from cp_tui.services.packages import PackageService
from cp_tui.services.payment_links import PaymentLinkService
from cp_tui.services.payments import PaymentService
from cp_tui.services.practice import PracticeService
from cp_tui.services.refunds import RefundService
from cp_tui.services.reports import ReportService
from cp_tui.services.secrets import SecretStore
from cp_tui.services.session_charge import SessionChargeService
from cp_tui.services.statement_runs import StatementRunService
from cp_tui.services.stripe_sync import SyncService
from cp_tui.services.text_guard import refuse_unstorable_text
from cp_tui.store import (
    Database,
    StoreError,
    daily_backup,
    open_engine,
    secure_folder,
    sqlite_path,
)


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
    secrets: SecretStore
    drafts: DraftService
    cards: CardService
    charges: CardPaymentService
    links: PaymentLinkService
    refunds: RefundService
    stripe_sync: SyncService
    documents: DocumentService
    mail: MailService
    reports: ReportService
    packages: PackageService
    batch: BatchService
    fees: FeeService
    session_charge: SessionChargeService
    insurance: InsuranceService
    statement_runs: StatementRunService

    def close(self) -> None:
        self.db.dispose()

    def daily_backup(self) -> str | None:
        """Take today's backup (copy, quick_check, rotate) unless it is taken already.

        Seconds on a big practice: the TUI runs it in a worker once the calendar
        is on screen; the command line takes it in ``build_services``.
        """
        return daily_backup(self.settings.database_url, self.clock.local_now())


def stripe_gateway_factory(secrets: SecretStore) -> GatewayFactory:
    """Builds the Stripe gateway on first use, from the key in the environment or keyring."""
    built: list[PaymentGateway] = []

    def factory() -> PaymentGateway | None:
        if built:
            return built[0]
        key, _source = secrets.stripe_key()
        if not key:
            return None
        from cp_tui.adapters.stripe_gateway import StripeGateway

        built.append(StripeGateway(key, api_base=os.environ.get("CP_TUI_STRIPE_API_BASE")))
        return built[0]

    return factory


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    gateway: PaymentGateway | None = None,
    secrets: SecretStore | None = None,
    backup: bool = True,
) -> Services:
    """Open (creating or upgrading) the database and wire every service to it.

    ``gateway`` replaces Stripe (tests hand in a gateway on a local fake server);
    without it, Stripe is used when a key is configured. ``backup=False`` leaves
    the daily backup to ``Services.daily_backup`` (the TUI, after its first
    paint); a damaged or truncated file is refused either way, before anything
    writes to it.
    """
    clock = clock or SystemClock()
    secrets = secrets or SecretStore()
    gateways: GatewayFactory = (
        (lambda: gateway) if gateway is not None else stripe_gateway_factory(secrets)
    )
    path = sqlite_path(settings.database_url)
    try:
        # Held from here until close, so `cp-tui encrypt` knows this process has it open.
        presence = None
        if path is not None:
            secure_folder(path)  # a new practice: its folder, for the lock file
            presence = hold(path)
    except PracticeInUse as exc:
        raise StoreError(str(exc)) from None
    try:
        if backup:
            daily_backup(settings.database_url, clock.local_now())
        db = Database(open_engine(settings.database_url), presence, refuse_unstorable_text)
    except StoreError:
        if presence is not None:
            presence.release()
        raise
    except Exception as exc:  # a driver error names the server, not the fix
        if presence is not None:
            presence.release()
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
    charges = CardPaymentService(db, clock, gateways)
    links = PaymentLinkService(db, clock, gateways)
    documents, mail = _documents_and_mail(settings, db, clock, gateways, links)
    charges.send_receipts_with(_receipt_sender(mail))
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
        secrets=secrets,
        drafts=DraftService(db, clock),
        cards=CardService(db, clock, gateways),
        charges=charges,
        links=links,
        refunds=RefundService(db, clock, gateways),
        stripe_sync=SyncService(db, clock, gateways, charges, links),
        documents=documents,
        mail=mail,
        reports=ReportService(db, clock),
        packages=PackageService(db, clock, invoices, charges),
        batch=BatchService(db, clock, invoices, sender=mail, charger=charges),
        fees=FeeService(db, clock),
        session_charge=SessionChargeService(db, clock),
        insurance=InsuranceService(db, clock),
        statement_runs=StatementRunService(db, documents, mail),
    )


def _documents_and_mail(
    settings: Settings,
    db: Database,
    clock: Clock,
    gateways: GatewayFactory,
    links: PaymentLinkService,
) -> tuple[DocumentService, MailService]:
    """PDFs through ReportLab and e-mail through SMTP; both import lazily."""
    from cp_tui.adapters import mailer, pdf
    from cp_tui.services.errors import DomainError

    def logo_check(content: bytes) -> tuple[str, int, int]:
        from cp_tui.adapters.images import inspect_logo

        return inspect_logo(content)

    def payment_link(number: str) -> str | None:
        if gateways() is None:
            return None
        try:
            return links.link(number).url
        except DomainError:
            return None

    hook: PaymentLinks = payment_link
    documents = DocumentService(
        db,
        clock,
        renderer=pdf.render,
        documents_dir=settings.data_dir / "documents",
        payment_links=hook,
        logo_check=logo_check,
    )
    mail = MailService(
        db,
        clock,
        documents=documents,
        mailer=mailer.SmtpMailer(),
        passwords=mailer.password_for,
        password_source=mailer.password_source,
    )
    return documents, mail


def _receipt_sender(mail: MailService) -> Callable[[int], str]:
    """E-mail a card payment's receipt when the practice has a mail server."""

    def send(payment_id: int) -> str:
        if not mail.is_configured():
            return ""
        try:
            sent = mail.send_receipt(payment_id)
        except DomainError as exc:
            return f"; the receipt was not e-mailed: {exc}"
        if sent.status == "sent":
            return f"; receipt e-mailed to {sent.recipient}"
        return f"; the receipt was not e-mailed: {sent.error}"

    return send
