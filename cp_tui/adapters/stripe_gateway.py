"""Stripe behind cp-tui's PaymentGateway: the only module that imports stripe, lazily.

Stripe gets opaque ids only: no names, no service names or codes, no health data
in descriptions or metadata. Every idempotency key comes from the caller, who
stored it before the call, so a retry after a crash repeats the same request.
"""

from __future__ import annotations

from typing import Any

from cp_tui.services.gateway import (
    CardDetails,
    CardSetup,
    ChargeResult,
    GatewayUnavailable,
    Outcome,
    RefundResult,
    RemoteInvoice,
    RemotePayment,
)

NETWORK_TRIES = 3
TIMEOUT_SECONDS = 20.0


class StripeGateway:
    def __init__(
        self,
        api_key: str,
        *,
        api_base: str | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._api_key = api_key
        self._api_base = api_base
        self._timeout = timeout
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import stripe

            addresses: dict[str, str] = {}
            if self._api_base:
                addresses = {"api": self._api_base, "files": self._api_base}
            self._client = stripe.StripeClient(
                self._api_key,
                base_addresses=addresses,  # type: ignore[arg-type]
                max_network_retries=0,
                http_client=stripe.RequestsClient(timeout=self._timeout),
            )
        return self._client

    def _call(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """Retry network failures with the same idempotency key; never other errors."""
        import stripe

        last: Exception | None = None
        for _ in range(NETWORK_TRIES):
            try:
                return request(*args, **kwargs)
            except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
                last = exc
        raise GatewayUnavailable(f"Stripe could not be reached: {_message(last)}") from last

    # -- customers and cards -------------------------------------------------------

    def ensure_customer(self, client_ref: str, existing: str | None) -> str:
        if existing:
            return existing
        customer = self._call(
            self.client.v1.customers.create,
            params={"metadata": {"cp_client": client_ref}},
            options={"idempotency_key": f"cp-tui-customer-{client_ref}"},
        )
        return str(customer.id)

    def start_card_setup(self, customer: str, return_url: str) -> CardSetup:
        session = self._call(
            self.client.v1.checkout.sessions.create,
            params={
                "mode": "setup",
                "customer": customer,
                "payment_method_types": ["card"],
                "success_url": return_url,
                "cancel_url": return_url,
                "currency": "usd",
            },
        )
        return CardSetup(session_id=str(session.id), url=str(session.url))

    def finished_card_setup(self, session_id: str) -> CardDetails | None:
        session = self._call(
            self.client.v1.checkout.sessions.retrieve,
            session_id,
            params={"expand": ["setup_intent"]},
        )
        if session.status != "complete" or not session.setup_intent:
            return None
        intent = session.setup_intent
        pm_id = intent["payment_method"] if isinstance(intent, dict) else intent.payment_method
        method = self._call(self.client.v1.payment_methods.retrieve, str(pm_id))
        card = method.card
        return CardDetails(
            payment_method_id=str(method.id),
            brand=str(card["brand"]),
            last4=str(card["last4"]),
            exp_month=int(card["exp_month"]),
            exp_year=int(card["exp_year"]),
        )

    def attach_card(self, customer: str, payment_method: str) -> CardDetails:
        """Attach a payment method id (used by tests and by test-mode setups)."""
        method = self._call(
            self.client.v1.payment_methods.attach,
            payment_method,
            params={"customer": customer},
        )
        card = method.card
        return CardDetails(
            payment_method_id=str(method.id),
            brand=str(card["brand"]),
            last4=str(card["last4"]),
            exp_month=int(card["exp_month"]),
            exp_year=int(card["exp_year"]),
        )

    # -- charges ------------------------------------------------------------------------

    def charge(
        self,
        *,
        customer: str,
        payment_method: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> ChargeResult:
        import stripe

        try:
            intent = self._call(
                self.client.v1.payment_intents.create,
                params={
                    "amount": amount,
                    "currency": currency.lower(),
                    "customer": customer,
                    "payment_method": payment_method,
                    "off_session": True,
                    "confirm": True,
                    "metadata": metadata,
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as exc:
            code = getattr(exc, "code", "") or ""
            if code == "authentication_required":
                return ChargeResult(Outcome.NEEDS_CLIENT, _intent_of(exc), _message(exc))
            return ChargeResult(Outcome.DECLINED, _intent_of(exc), _message(exc))
        except stripe.StripeError as exc:
            return ChargeResult(Outcome.UNKNOWN, None, _message(exc))
        return _charge_result(intent)

    def find_payments(self, metadata_key: str, metadata_value: str) -> list[RemotePayment]:
        return [p for p in self.recent_payments() if p.metadata.get(metadata_key) == metadata_value]

    def recent_payments(self, limit: int = 100) -> list[RemotePayment]:
        page = self._call(self.client.v1.payment_intents.list, params={"limit": limit})
        return [
            RemotePayment(
                intent_id=str(pi.id),
                amount=int(pi.amount),
                currency=str(pi.currency).upper(),
                status=str(pi.status),
                metadata={str(k): str(v) for k, v in _plain(pi.metadata).items()},
                customer=str(pi.customer) if pi.customer else None,
            )
            for pi in page.data
        ]

    # -- invoices and links ------------------------------------------------------------------

    def create_invoice_link(
        self,
        *,
        customer: str,
        amount: int,
        currency: str,
        label: str,
        days_until_due: int,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> RemoteInvoice:
        invoice = self._call(
            self.client.v1.invoices.create,
            params={
                "customer": customer,
                "collection_method": "send_invoice",
                "days_until_due": max(days_until_due, 1),
                "currency": currency.lower(),
                "metadata": metadata,
                "auto_advance": False,
            },
            options={"idempotency_key": f"{idempotency_key}-invoice"},
        )
        self._call(
            self.client.v1.invoice_items.create,
            params={
                "customer": customer,
                "invoice": invoice.id,
                "amount": amount,
                "currency": currency.lower(),
                "description": label,
            },
            options={"idempotency_key": f"{idempotency_key}-item"},
        )
        final = self._call(
            self.client.v1.invoices.finalize_invoice,
            invoice.id,
            options={"idempotency_key": f"{idempotency_key}-finalize"},
        )
        return _remote_invoice(final)

    def get_invoice(self, remote_id: str) -> RemoteInvoice:
        return _remote_invoice(self._call(self.client.v1.invoices.retrieve, remote_id))

    def send_invoice(self, remote_id: str) -> None:
        self._call(self.client.v1.invoices.send_invoice, remote_id)

    def void_invoice(self, remote_id: str) -> None:
        self._call(self.client.v1.invoices.void_invoice, remote_id)

    # -- refunds --------------------------------------------------------------------------------

    def refund(self, *, intent_id: str, amount: int, idempotency_key: str) -> RefundResult:
        import stripe

        try:
            refund = self._call(
                self.client.v1.refunds.create,
                params={"payment_intent": intent_id, "amount": amount},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            return RefundResult(Outcome.DECLINED, None, _message(exc))
        status = str(refund.status)
        outcome = {
            "succeeded": Outcome.SUCCEEDED,
            "pending": Outcome.PENDING,
            "failed": Outcome.DECLINED,
        }.get(status, Outcome.UNKNOWN)
        return RefundResult(outcome, str(refund.id), "" if outcome else status)


def _charge_result(intent: Any) -> ChargeResult:
    status = str(intent.status)
    if status == "succeeded":
        return ChargeResult(Outcome.SUCCEEDED, str(intent.id))
    if status in ("processing", "requires_capture"):
        return ChargeResult(Outcome.PENDING, str(intent.id), "the bank is still processing it")
    if status == "requires_action":
        return ChargeResult(
            Outcome.NEEDS_CLIENT, str(intent.id), "the card needs the client to authenticate"
        )
    error = getattr(intent, "last_payment_error", None)
    reason = str(error["message"]) if error else f"the payment is {status}"
    return ChargeResult(Outcome.DECLINED, str(intent.id), reason)


def _remote_invoice(invoice: Any) -> RemoteInvoice:
    return RemoteInvoice(
        remote_id=str(invoice.id),
        url=str(getattr(invoice, "hosted_invoice_url", "") or ""),
        status=str(invoice.status),
        amount_due=int(invoice.amount_due),
        amount_paid=int(invoice.amount_paid),
        payment_ref=str(getattr(invoice, "payment_intent", "") or "") or None,
    )


def _plain(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    return dict(value.to_dict()) if hasattr(value, "to_dict") else dict(value)


def _intent_of(exc: Any) -> str | None:
    error = getattr(exc, "error", None)
    intent = getattr(error, "payment_intent", None) if error else None
    if isinstance(intent, dict):
        return str(intent.get("id")) or None
    return str(getattr(intent, "id", "")) or None


def _message(exc: Exception | None) -> str:
    if exc is None:
        return "no answer"
    message = getattr(exc, "user_message", None) or str(exc)
    return str(message).strip() or type(exc).__name__
