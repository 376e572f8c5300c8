"""A client's insurance policy: payer, member id, co-pay (fixed or percent), one service or all.

Opened from the client screen (``y``), prefilled with the client's active policy
(the one for all services first). Saving replaces the active policy for the same
service (``services.insurance.set_policy``); the form returns the saved policy.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from cp_tui.money import HUNDRED, decimal_text, from_minor, parse_decimal
from cp_tui.screens import form_checks as checks
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.copays import FIXED, PERCENT
from cp_tui.services.errors import DomainError
from cp_tui.services.insurance import PolicyRead
from cp_tui.widgets.field import Field

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

ALL_SERVICES = 0  # the service choice for a policy that covers every service
KINDS = [("Fixed amount per session", FIXED), ("Percentage of the session", PERCENT)]


def check_percent(text: str) -> Decimal:
    """A co-pay percentage, 0 to 100 with at most 3 decimals (as the service requires)."""
    if not text:
        raise ValueError("a percentage is needed, e.g. 20")
    percent = parse_decimal(text, "a co-pay percentage")
    if not Decimal(0) <= percent <= HUNDRED:
        raise ValueError(f"a co-pay percentage is 0 to 100, got {text}")
    if percent != percent.quantize(Decimal("0.001")):
        raise ValueError("a co-pay percentage has at most 3 decimal places")
    return percent


class PolicyForm(DialogScreen[PolicyRead | None]):
    """Saves through ``services.insurance``; returns the saved policy (None on cancel)."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [
        Binding(
            "escape",
            "dismiss(None)",
            "Cancel",
            id="policy_form.cancel",
            tooltip="Close the form without saving",
        ),
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="policy_form.save",
            tooltip="Save the policy (enter in a field does the same)",
        ),
    ]

    def __init__(self, services: Services, client_id: int) -> None:
        super().__init__()
        self.services = services
        self.client_id = client_id
        self.currency = services.practice.get().currency
        active = services.insurance.policies(client_id)
        # The policy for every service first: it is the one most people have.
        self.policy = min(active, key=lambda p: (p.service_id is not None, p.id), default=None)

    def compose(self) -> ComposeResult:
        p = self.policy
        name = self.services.clients.get(self.client_id).name
        kind = p.copay_kind if p else FIXED
        if p is None:
            copay = ""
        elif p.copay_kind == FIXED:
            copay = str(from_minor(p.copay_amount or 0, self.currency))
        else:
            copay = decimal_text(p.copay_percent or Decimal(0))
        services = self.services.catalogue.list()
        if p and p.service_id and all(s.id != p.service_id for s in services):
            services.append(self.services.catalogue.get(p.service_id))  # retired since
        with Vertical(classes="dialog"):
            yield Static(f"Insurance policy for {name}", classes="dialog-title", markup=False)
            with Horizontal(classes="row"):
                yield Field(
                    "Payer (insurer)", p.payer if p else "", name="payer", placeholder="Aetna"
                )
                yield Field(
                    "Member id", p.member_id if p else "", name="member_id", placeholder="W123"
                )
            yield Label("Co-pay kind", markup=False)
            yield Select(KINDS, value=kind, allow_blank=False, id="policy-kind")
            yield Field(
                f"Co-pay: amount ({self.currency}) or percent",
                copay,
                name="copay",
                placeholder="30.00, or 20 for 20 %",
            )
            yield Label("Covers", markup=False)
            yield Select[int](
                [
                    (Text("All services"), ALL_SERVICES),
                    *((Text(f"Only {s.name}"), s.id) for s in services),
                ],
                value=p.service_id if p and p.service_id else ALL_SERVICES,
                allow_blank=False,
                id="policy-service",
            )
            yield Static("", classes="dialog-error", id="policy-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (enter)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-payer", Input).focus()

    def _field(self, name: str) -> Field:
        return self.query_one(f"#field-{name}", Field)

    @property
    def kind(self) -> str:
        return str(self.query_one("#policy-kind", Select).value)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        field = self._field
        percent = self.kind == PERCENT
        if not checks.check_all(
            [
                (field("payer"), checks.required("a policy needs a payer, e.g. Aetna")),
                (field("member_id"), checks.required("a policy needs the client's member id")),
                (field("copay"), check_percent if percent else checks.price(self.currency)),
            ]
        ):
            return
        copay = field("copay").value
        service = self.query_one("#policy-service", Select).value
        try:
            saved = self.services.insurance.set_policy(
                self.client_id,
                payer=field("payer").value,
                member_id=field("member_id").value,
                copay=None if percent else copay,
                copay_percent=copay if percent else None,
                service_id=service if isinstance(service, int) and service else None,
            )
        except DomainError as exc:
            self.query_one("#policy-error", Static).update(str(exc))
            return
        self.dismiss(saved)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
