"""Co-pays and insurer claims: the split adds up exactly, a portion is never both invoiced and
claimed, payments and denials move the rest, the CMS-1500 CSV, and `cp-tui check` stays clean."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from cp_tui.bootstrap import Services
from cp_tui.models import Client, PracticeSettings
from cp_tui.models.insurance import ClaimLine
from cp_tui.money import line_amounts
from cp_tui.services.errors import InvalidInput, NotAllowed
from cp_tui.services.insurance import net_for_total
from cp_tui.services.integrity import IntegrityService
from tests.conftest import Practice

MON = datetime(2026, 11, 2, 10, 0)


def consistent(services: Services) -> None:
    report = IntegrityService(services.db, services.clock).check()
    assert report.ok, report.findings


def one_item(services: Services, practice: Practice, price: str, tax: str = "0") -> tuple[int, int]:
    alex = practice.client()
    therapy = practice.service(price, tax_rate=tax)
    practice.session([alex], [therapy], MON)
    item = services.items.list(client_id=alex, uninvoiced=True)[0]
    return alex, item.id


def test_fixed_copay_adds_up_and_is_capped(services: Services, practice: Practice) -> None:
    alex, item_id = one_item(services, practice, "150.00")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W123", copay="30.00")
    result = services.insurance.split(item_id)
    assert (result.charge, result.client_portion, result.claim.amount) == (15000, 3000, 12000)
    assert services.items.get(item_id).total == 3000
    with pytest.raises(NotAllowed):
        services.insurance.split(item_id)  # split once only

    # A co-pay above the item is capped: the insurer's portion is 0, still adding up
    # (this session is completed under the policy, so it is split on completion).
    therapy2 = practice.service("20.00", name="Check-in")
    practice.session([alex], [therapy2], datetime(2026, 11, 3, 10, 0))
    small = [i for i in services.items.list(client_id=alex, uninvoiced=True) if i.id != item_id]
    (capped,) = [c for c in services.insurance.claims() if c.item_id == small[0].id]
    assert (capped.client_portion, capped.amount) == (2000, 0)
    assert small[0].total == 2000
    consistent(services)


def test_percent_copay_with_an_odd_cent(services: Services, practice: Practice) -> None:
    alex, item_id = one_item(services, practice, "150.05")
    services.insurance.set_policy(alex, payer="Cigna", member_id="C9", copay_percent="20.5")
    result = services.insurance.split(item_id)
    # 15005 x 20.5% = 3076.025 -> 3076 half-up; the insurer has the rest.
    assert result.client_portion == 3076
    assert result.claim.amount == 15005 - 3076
    assert result.client_portion + result.claim.amount == result.charge == 15005
    half = practice.client(name="Bo", email="bo@example.com")
    services.insurance.set_policy(half, payer="Cigna", member_id="C10", copay_percent="50")
    item = services.items.add(client_id=half, description="Report", price="0.05", tax_rate="0")
    split = services.insurance.split(item.id)
    assert (split.client_portion, split.claim.amount) == (3, 2)  # 2.5 rounds half up


def test_item_with_tax_keeps_its_rate_and_adds_up(services: Services, practice: Practice) -> None:
    alex, item_id = one_item(services, practice, "100.00", tax="15")
    assert services.items.get(item_id).total == 11500
    services.insurance.set_policy(alex, payer="Aetna", member_id="W1", copay="30.00")
    result = services.insurance.split(item_id)
    item = services.items.get(item_id)
    assert item.tax_rate == 15 and item.tax > 0
    # 2609 net + 391 tax = 30.00 exactly.
    assert item.total == result.client_portion == 3000
    assert result.client_portion + result.claim.amount == 11500
    # Every co-pay from 0 to the item adds up exactly, reachable or not.
    for cents in range(0, 300):
        net = net_for_total(cents, item.tax_rate)
        total = line_amounts(item.units, net, item.tax_rate).total
        assert total <= cents and cents - total <= 1
    consistent(services)


def test_never_both_invoiced_and_claimed(services: Services, practice: Practice) -> None:
    alex, item_id = one_item(services, practice, "150.00")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W123", copay="30.00")
    # No policy for the other client: refused.
    bo = practice.client(name="Bo", email="bo@example.com")
    loose = services.items.add(client_id=bo, description="Report", price="10.00")
    with pytest.raises(NotAllowed):
        services.insurance.split(loose.id)
    invoiced = services.invoices.create(client_id=alex)
    with pytest.raises(NotAllowed, match="both"):
        services.insurance.split(item_id)
    assert services.insurance.claims() == []
    services.invoices.void(invoiced.number or "", reason="insured")
    result = services.insurance.split(item_id)
    invoice = services.invoices.create(client_id=alex)
    assert invoice.total == result.client_portion == 3000
    with pytest.raises(NotAllowed):
        services.items.edit(item_id, price="150.00")
    consistent(services)


def test_payment_and_denial_move_the_rest(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W123", copay="30.00")
    practice.session([alex], [therapy], MON)
    practice.session([alex], [therapy], datetime(2026, 11, 9, 10, 0))
    # The policy was there when the sessions were completed: they are split already.
    items = services.items.list(client_id=alex, uninvoiced=True)
    assert [i.total for i in items] == [3000, 3000]
    first, second = services.insurance.claims(payer="Aetna")
    assert {first.item_id, second.item_id} == {i.id for i in items}
    assert [c.status for c in services.insurance.claims(payer="Aetna")] == ["to_submit"] * 2
    submitted = services.insurance.submit([first.id, second.id], "AET-77")
    assert {c.status for c in submitted} == {"submitted"}
    with pytest.raises(NotAllowed):
        services.insurance.submit([first.id], "again")
    with pytest.raises(InvalidInput):
        services.insurance.record_payment(first.id, "120.01")

    paid = services.insurance.record_payment(first.id, "95.00", move_rest=True)
    assert (paid.status, paid.paid_amount) == ("paid", 9500)
    assert paid.rest_item_id is not None
    rest = services.items.get(paid.rest_item_id)
    assert rest.total == 12000 - 9500 and rest.description.startswith("Not covered by Aetna: ")
    with pytest.raises(NotAllowed):
        services.insurance.deny(first.id)

    denied = services.insurance.deny(second.id, move_rest=True)
    assert denied.status == "denied" and denied.rest_item_id is not None
    assert services.items.get(denied.rest_item_id).total == 12000
    with pytest.raises(NotAllowed):
        services.insurance.split(denied.rest_item_id)
    assert len(services.insurance.claims(status="denied")) == 1

    invoice = services.invoices.create(client_id=alex)
    assert invoice.total == 3000 + 3000 + 2500 + 12000
    consistent(services)


def test_reopening_drops_an_unsubmitted_claim(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W123", copay="30.00")
    appt = practice.session([alex], [therapy], MON)
    assert len(services.insurance.claims()) == 1  # split on completion
    services.calendar.reopen(appt)
    assert services.insurance.claims() == []
    consistent(services)


def test_csv_has_the_cms1500_fields(services: Services, practice: Practice, tmp_path: Path) -> None:
    alex, item_id = one_item(services, practice, "150.00")
    with services.db.write() as session:
        client = session.get(Client, alex)
        assert client is not None
        client.date_of_birth = date(1980, 5, 17)
        client.diagnosis_codes = "F41.1, F32.0"
        settings = session.get(PracticeSettings, 1) or PracticeSettings(id=1)
        settings.npi = "1234567893"
        session.add(settings)
    services.insurance.set_policy(alex, payer="Aetna", member_id="W123", copay_percent="20")
    bo = practice.client(name="Bo", email="bo@example.com")
    services.insurance.set_policy(bo, payer="Cigna", member_id="C1", copay="10.00")
    services.insurance.split(item_id)
    services.insurance.split(services.items.add(client_id=bo, description="x", price="50").id)

    target = tmp_path / "claims.csv"
    assert services.insurance.export_csv(target, payer="Aetna") == 1
    with target.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = rows[0]
    assert row["patient_name"] == "Alex Rivera" and row["patient_dob"] == "1980-05-17"
    assert row["insured_id"] == "W123" and row["cpt_code"] == "90837"
    assert row["icd10_codes"] == "F41.1;F32.0" and row["billing_npi"] == "1234567893"
    assert row["date_of_service"] == MON.date().isoformat()
    assert (row["charges"], row["insurer_portion"], row["client_portion"]) == (
        "150.00",
        "120.00",
        "30.00",
    )
    assert "place_of_service" in row
    with services.db.read() as session:
        assert len(session.exec(select(ClaimLine)).all()) == 2


def test_cli_set_split_list_pay_export(tmp_path: Path) -> None:
    from cp_tui.bootstrap import build_services
    from cp_tui.config import resolve_settings
    from tests.unit.test_cli import ok, refused

    data = tmp_path / "cli"
    built = build_services(resolve_settings(data, environ={}))
    alex = built.clients.add(name="Alex Rivera", email="alex@example.com").id
    item = built.items.add(client_id=alex, description="Session", price="150.00").id
    built.close()
    ok(
        data,
        "insurance",
        "set",
        str(alex),
        "--payer",
        "Aetna",
        "--member-id",
        "W1",
        "--copay",
        "30",
    )
    split = ok(data, "insurance", "split", str(item))
    assert (split["client_portion"], split["claim"]["amount"]) == (3000, 12000)
    assert "already split" in refused(data, "insurance", "split", str(item))
    claim = split["claim"]["id"]
    listed = ok(data, "claims", "list", "--payer", "Aetna", "--status", "to_submit")
    assert [c["id"] for c in listed] == [claim]
    ok(data, "claims", "submit", str(claim), "--reference", "R-1")
    paid = ok(data, "claims", "pay", str(claim), "--amount", "100.00", "--move-rest")
    assert paid["status"] == "paid" and paid["rest_item_id"] is not None
    out = tmp_path / "claims.csv"
    assert ok(data, "claims", "export", "-o", str(out))["claims"] == 1
    assert ok(data, "check")["ok"] is True


def test_completing_an_insured_session_splits_it(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.05", tax_rate="15")
    talk = practice.service("80.00", name="Talk")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W1", copay_percent="20")
    # A policy for one service wins over the general one.
    services.insurance.set_policy(alex, payer="Cigna", member_id="C1", copay="10", service_id=talk)
    bo = practice.client(name="Bo", email="bo@example.com")
    practice.session([alex, bo], [therapy], MON)
    practice.session([alex], [talk], datetime(2026, 11, 3, 10, 0))

    claims = {c.payer: c for c in services.insurance.claims()}
    assert set(claims) == {"Aetna", "Cigna"}
    charge = line_amounts(Decimal(1), 15005, Decimal(15)).total
    aetna = claims["Aetna"]
    assert aetna.charge == charge
    assert services.items.get(aetna.item_id).total + aetna.amount == charge
    assert services.items.get(aetna.item_id).total == aetna.client_portion
    assert (claims["Cigna"].client_portion, claims["Cigna"].amount) == (1000, 7000)
    # The uninsured attendee is billed in full, and nothing of theirs is claimed.
    assert [i.total for i in services.items.list(client_id=bo)] == [charge]

    # Invoicing bills the co-pays only; the insurer's portions stay on the claims.
    invoice = services.invoices.create(client_id=alex)
    assert invoice.total == aetna.client_portion + 1000
    with pytest.raises(NotAllowed, match="already"):
        services.insurance.split(aetna.item_id)
    consistent(services)


def test_changed_charge_splits_again_until_submitted(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W1", copay="30")
    appt = practice.session([alex], [therapy], MON)
    services.calendar.set_charge(appt, client_id=alex, service_id=therapy, price="200.00")
    (claim,) = services.insurance.claims()
    assert (claim.charge, claim.client_portion, claim.amount) == (20000, 3000, 17000)
    assert services.items.get(claim.item_id).total == 3000
    services.insurance.submit([claim.id], "R-1")
    with pytest.raises(NotAllowed, match="submitted"):
        services.calendar.set_charge(appt, client_id=alex, service_id=therapy, price="90.00")
    assert services.items.get(claim.item_id).total == 3000
    consistent(services)


def test_a_session_drawn_from_a_package_is_not_claimed(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W1", copay="30")
    services.packages.sell(client_id=alex, sessions=2, service_ids=[therapy], price="250.00")
    practice.session([alex], [therapy], MON)
    assert services.insurance.claims() == []
    consistent(services)


def test_the_demo_practice_has_claims_in_every_stage_and_adds_up(demo_services: Services) -> None:
    claims = demo_services.insurance.claims()
    stages = {c.status for c in claims}
    assert stages == {"paid", "submitted", "to_submit"}
    assert {c.payer for c in claims} == {"Aetna", "Blue Cross Blue Shield"}
    for claim in claims:
        assert claim.amount + claim.client_portion == claim.charge
        assert claim.paid_amount == (claim.amount if claim.status == "paid" else 0)
        assert (claim.submitted_on is None) == (claim.status == "to_submit")
    consistent(demo_services)


def test_an_invoiced_copay_says_what_the_insurer_is_billed(
    services: Services, practice: Practice
) -> None:
    from cp_tui.documents import _plain, version
    from tests.unit.test_pdf import lines_of

    alex, item_id = one_item(services, practice, "150.00")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W123", copay="30.00")
    services.insurance.split(item_id)
    plain = practice.client(name="Bo Brook", email="bo@example.com")
    services.items.add(client_id=plain, description="Report", price="75.00", on=MON.date())
    copay = services.invoices.create(client_id=alex).number
    other = services.invoices.create(client_id=plain).number

    document = services.documents.invoice(copay)
    [note] = document.claims
    assert (note.payer, note.charge, note.insurer_amount) == ("Aetna", 15000, 12000)
    text = " ".join(lines_of(services.documents.render(document)))
    assert "the session's $150.00 less $120.00 claimed from Aetna" in text
    assert document.total == 3000
    # An invoice with no co-pay keeps its digest: nothing sent before counts as changed.
    uninsured = services.documents.invoice(other)
    assert uninsured.claims == ()
    assert "claims" not in _plain(uninsured) and "claims" in _plain(document)
    assert version(document) != version(replace(document, claims=()))
