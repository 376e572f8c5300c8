"""A local fake Stripe for the tests: localstripe 1.15.10, plus what it lacks.

Run as ``python -m tests.stripe_fake.server --port N``; it listens on 127.0.0.1
only. Added to localstripe (pinned, since this reaches into its internals):

- Idempotency-Key honoured: a repeated key returns the first response.
- One-off invoices with a hosted invoice URL: create, invoice items, finalize,
  retrieve, send, void; ``POST /_test/invoices/{id}/pay`` pays one as a client
  would through the link.
- Checkout Sessions in setup mode; ``POST /_test/checkout/{id}/complete`` saves a
  card as the client would on the hosted page.
- ``pm_card_authenticationRequired``.
- ``POST /_test/delay`` delays the next responses to a path (a timeout), and
  ``POST /_test/hang`` holds them forever (a process killed while waiting).
- ``GET /_test/requests``: every API request seen (method, path, query, body).
- ``POST /_test/predictable`` (url_base): counted ids and hosted pages under one
  fixed address until the next reset, for screens that show them (snapshots).
- No pickling of the whole store to /tmp on every write.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from localstripe import resources, server

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]

_canonical = resources.PaymentMethod._try_get_canonical_test_article


def _canonical_with_auth(id: str) -> Any:
    if id == "pm_card_authenticationRequired":
        return resources.PaymentMethod(
            type="card",
            card={
                "number": "4000002760003184",
                "exp_month": "12",
                "exp_year": "2030",
                "cvc": "123",
            },
        )
    return _canonical(id)


resources.PaymentMethod._try_get_canonical_test_article = staticmethod(  # type: ignore[method-assign]
    _canonical_with_auth
)

STATE: dict[str, Any] = {
    "idempotent": {},
    "invoices": {},
    "sessions": {},
    "delays": [],
    "sent": [],
    "requests": [],
    # Set by /_test/predictable: ids count up from 1 and hosted pages live under
    # one fixed address, so a screen that shows them looks the same every run.
    "predictable": None,
    "counter": 0,
}


_random_id = resources.random_id


def _counted_or_random_id(n: int) -> str:
    """localstripe's own ids (customers, payment intents), counted in predictable mode."""
    if STATE["predictable"] is None:
        return str(_random_id(n))
    STATE["counter"] += 1
    return f"{STATE['counter']:0{n}d}"


resources.random_id = _counted_or_random_id


def _new_id(prefix: str) -> str:
    if STATE["predictable"] is None:
        return f"{prefix}_{secrets.token_hex(8)}"
    STATE["counter"] += 1
    return f"{prefix}_{STATE['counter']:016d}"


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(data, sort_keys=True), status=status, content_type="application/json"
    )


def _base(request: web.Request) -> str:
    if STATE["predictable"] is not None:
        return str(STATE["predictable"])
    return f"http://{request.host}"


# -- invoices ---------------------------------------------------------------------


async def create_invoice(request: web.Request, match: re.Match[str]) -> web.Response:
    data = await server.get_post_data(request) or {}
    invoice = {
        "id": _new_id("in"),
        "object": "invoice",
        "customer": data.get("customer"),
        "currency": data.get("currency", "usd"),
        "metadata": data.get("metadata") or {},
        "collection_method": data.get("collection_method", "send_invoice"),
        "status": "draft",
        "amount_due": 0,
        "amount_paid": 0,
        "hosted_invoice_url": None,
        "payment_intent": None,
        "lines": {"object": "list", "data": []},
    }
    STATE["invoices"][invoice["id"]] = invoice
    return _json(invoice)


async def create_invoice_item(request: web.Request, match: re.Match[str]) -> web.Response:
    data = await server.get_post_data(request) or {}
    invoice = STATE["invoices"].get(data.get("invoice"))
    if invoice is None or invoice["status"] != "draft":
        return _json(
            {"error": {"message": "No such draft invoice", "type": "invalid_request_error"}}, 400
        )
    item = {
        "id": _new_id("ii"),
        "object": "invoiceitem",
        "amount": int(data["amount"]),
        "currency": data.get("currency"),
        "description": data.get("description"),
        "invoice": invoice["id"],
    }
    invoice["lines"]["data"].append(item)
    invoice["amount_due"] += item["amount"]
    return _json(item)


def _invoice_or_404(match: re.Match[str]) -> dict[str, Any] | web.Response:
    invoice = STATE["invoices"].get(match.group(1))
    if invoice is None:
        return _json(
            {"error": {"message": "No such invoice", "type": "invalid_request_error"}}, 404
        )
    return invoice


async def get_invoice(request: web.Request, match: re.Match[str]) -> web.Response:
    invoice = _invoice_or_404(match)
    return invoice if isinstance(invoice, web.Response) else _json(invoice)


async def finalize_invoice(request: web.Request, match: re.Match[str]) -> web.Response:
    invoice = _invoice_or_404(match)
    if isinstance(invoice, web.Response):
        return invoice
    if invoice["status"] == "draft":
        invoice["status"] = "open"
        invoice["hosted_invoice_url"] = f"{_base(request)}/i/{invoice['id']}"
    return _json(invoice)


async def send_invoice(request: web.Request, match: re.Match[str]) -> web.Response:
    invoice = _invoice_or_404(match)
    if isinstance(invoice, web.Response):
        return invoice
    STATE["sent"].append(invoice["id"])
    return _json(invoice)


async def void_invoice(request: web.Request, match: re.Match[str]) -> web.Response:
    invoice = _invoice_or_404(match)
    if isinstance(invoice, web.Response):
        return invoice
    if invoice["status"] == "paid":
        return _json(
            {
                "error": {
                    "message": "A paid invoice cannot be voided",
                    "type": "invalid_request_error",
                }
            },
            400,
        )
    invoice["status"] = "void"
    return _json(invoice)


async def pay_invoice(request: web.Request, match: re.Match[str]) -> web.Response:
    """The client pays through the hosted page (test control)."""
    invoice = _invoice_or_404(match)
    if isinstance(invoice, web.Response):
        return invoice
    if invoice["status"] != "open":
        return _json({"error": {"message": f"invoice is {invoice['status']}"}}, 400)
    intent = resources.PaymentIntent._api_create(
        amount=invoice["amount_due"],
        currency=invoice["currency"],
        customer=invoice["customer"],
        payment_method="pm_card_visa",
        confirm=True,
    )
    invoice["status"] = "paid"
    invoice["amount_paid"] = invoice["amount_due"]
    invoice["payment_intent"] = intent.id
    return _json(invoice)


# -- checkout sessions (setup mode) -----------------------------------------------


async def create_session(request: web.Request, match: re.Match[str]) -> web.Response:
    data = await server.get_post_data(request) or {}
    if data.get("mode") != "setup":
        return _json({"error": {"message": "only mode=setup is faked"}}, 400)
    resources.Customer._api_retrieve(data.get("customer"))
    session = {
        "id": _new_id("cs_test"),
        "object": "checkout.session",
        "mode": "setup",
        "customer": data.get("customer"),
        "status": "open",
        "url": "",
        "setup_intent": None,
    }
    session["url"] = f"{_base(request)}/c/{session['id']}"
    STATE["sessions"][session["id"]] = session
    return _json(session)


async def get_session(request: web.Request, match: re.Match[str]) -> web.Response:
    session = STATE["sessions"].get(match.group(1))
    if session is None:
        return _json({"error": {"message": "No such checkout session"}}, 404)
    shown = dict(session)
    expand = " ".join(request.query.getall("expand[]", []) + request.query.getall("expand[0]", []))
    if session["setup_intent"] and "setup_intent" not in expand:
        shown["setup_intent"] = session["setup_intent"]["id"]
    return _json(shown)


async def complete_session(request: web.Request, match: re.Match[str]) -> web.Response:
    """The client saves a card on the hosted page (test control)."""
    session = STATE["sessions"].get(match.group(1))
    if session is None:
        return _json({"error": {"message": "No such checkout session"}}, 404)
    data = await server.get_post_data(request, remove_auth=False) or {}
    method = resources.PaymentMethod._api_retrieve(data.get("payment_method", "pm_card_visa"))
    resources.PaymentMethod._api_attach(method.id, customer=session["customer"])
    session["status"] = "complete"
    session["setup_intent"] = {
        "id": _new_id("seti"),
        "object": "setup_intent",
        "status": "succeeded",
        "payment_method": method.id,
    }
    return _json(session)


# -- test controls ------------------------------------------------------------------


async def delay(request: web.Request, match: re.Match[str]) -> web.Response:
    data = await server.get_post_data(request, remove_auth=False) or {}
    STATE["delays"].append(
        {
            "path": data["path"],
            "seconds": float(data.get("seconds", 2)),
            "times": int(data.get("times", 1)),
        }
    )
    return _json({"ok": True})


async def hang(request: web.Request, match: re.Match[str]) -> web.Response:
    data = await server.get_post_data(request, remove_auth=False) or {}
    STATE["delays"].append({"path": data["path"], "seconds": 3600.0, "times": 1})
    return _json({"ok": True})


async def stats(request: web.Request, match: re.Match[str]) -> web.Response:
    intents = [
        {"id": o.id, "amount": o.amount, "status": o.status, "metadata": o.metadata}
        for key, o in resources.store.items()
        if key.startswith("payment_intent:")
    ]
    refunds = [
        {"id": o.id, "amount": o.amount}
        for key, o in resources.store.items()
        if key.startswith("refund:")
    ]
    return _json({"payment_intents": intents, "refunds": refunds, "sent": STATE["sent"]})


async def predictable(request: web.Request, match: re.Match[str]) -> web.Response:
    data = await server.get_post_data(request, remove_auth=False) or {}
    STATE["predictable"] = str(data["url_base"]).rstrip("/")
    STATE["counter"] = 0
    return _json({"ok": True})


async def reset(request: web.Request, match: re.Match[str]) -> web.Response:
    STATE["predictable"] = None
    STATE["counter"] = 0
    resources.store.clear()
    for key in ("idempotent", "invoices", "sessions"):
        STATE[key].clear()
    STATE["delays"].clear()
    STATE["sent"].clear()
    STATE["requests"].clear()
    return _json({"ok": True})


async def requests_seen(request: web.Request, match: re.Match[str]) -> web.Response:
    return _json(STATE["requests"])


ROUTES: list[tuple[str, re.Pattern[str], Callable[..., Awaitable[web.Response]]]] = [
    ("POST", re.compile(r"^/v1/invoices$"), create_invoice),
    ("POST", re.compile(r"^/v1/invoiceitems$"), create_invoice_item),
    ("GET", re.compile(r"^/v1/invoices/(in_\w+)$"), get_invoice),
    ("POST", re.compile(r"^/v1/invoices/(in_\w+)/finalize$"), finalize_invoice),
    ("POST", re.compile(r"^/v1/invoices/(in_\w+)/send$"), send_invoice),
    ("POST", re.compile(r"^/v1/invoices/(in_\w+)/void$"), void_invoice),
    ("POST", re.compile(r"^/_test/invoices/(in_\w+)/pay$"), pay_invoice),
    ("POST", re.compile(r"^/v1/checkout/sessions$"), create_session),
    ("GET", re.compile(r"^/v1/checkout/sessions/(cs_\w+)$"), get_session),
    ("POST", re.compile(r"^/_test/checkout/(cs_\w+)/complete$"), complete_session),
    ("POST", re.compile(r"^/_test/delay$"), delay),
    ("POST", re.compile(r"^/_test/hang$"), hang),
    ("GET", re.compile(r"^/_test/stats$"), stats),
    ("GET", re.compile(r"^/_test/requests$"), requests_seen),
    ("POST", re.compile(r"^/_test/reset$"), reset),
    ("POST", re.compile(r"^/_test/predictable$"), predictable),
]


@web.middleware
async def extensions(request: web.Request, handler: Handler) -> web.StreamResponse:
    for method, pattern, route in ROUTES:
        match = pattern.match(request.path)
        if match and request.method == method:
            return await route(request, match)
    return await handler(request)


@web.middleware
async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Keep every request to the API (not the test controls) for ``GET /_test/requests``."""
    if not request.path.startswith("/_test/"):
        body = (await request.read()).decode("utf-8", "replace")
        STATE["requests"].append(
            {
                "method": request.method,
                "path": request.path,
                "query": request.query_string,
                "body": body,
            }
        )
    return await handler(request)


@web.middleware
async def idempotency(request: web.Request, handler: Handler) -> web.StreamResponse:
    key = request.headers.get("Idempotency-Key")
    cache_key = (request.method, request.path, key)
    if key and request.method == "POST" and cache_key in STATE["idempotent"]:
        status, body = STATE["idempotent"][cache_key]
        response: web.StreamResponse = web.Response(
            text=body, status=status, content_type="application/json"
        )
    else:
        response = await handler(request)
        if key and request.method == "POST" and isinstance(response, web.Response):
            text = response.text or ""
            STATE["idempotent"][cache_key] = (response.status, text)
    for rule in list(STATE["delays"]):
        if request.path.startswith(rule["path"]) and rule["times"] > 0:
            rule["times"] -= 1
            await asyncio.sleep(rule["seconds"])
    return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = server.app
    # Outermost first: idempotency replays whatever the inner layers answered.
    app.middlewares.insert(0, record)
    app.middlewares.insert(1, idempotency)
    app.middlewares.insert(2, server.error_middleware)
    app.middlewares.insert(3, extensions)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
