"""STARTTLS and SSL against a real TLS server: aiosmtpd with certificates made here.

The test makes its own certificate authority and signs a server certificate for
127.0.0.1 with it; the mailer trusts that authority only when the practice names
it (``mail set --ca-file``), and a certificate it cannot trust fails with a
message that says what to do.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cp_tui.adapters.mailer import PASSWORD_ENV
from cp_tui.bootstrap import Services
from cp_tui.services.errors import InvalidInput
from cp_tui.services.mail import SendFailed
from tests.conftest import Practice
from tests.integration.test_mail import (
    FROM,
    Inbox,
    _authenticator,
    _free_port,
    an_invoice,
    attachment,
    pdf_text,
)

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@dataclass
class Authority:
    ca_pem: Path
    cert_pem: Path
    key_pem: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _make_authority(folder: Path, tag: str, host_ip: str = "127.0.0.1") -> Authority:
    """A CA and a server certificate it signed for ``host_ip``, written as PEM files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"cp-tui test CA {tag}"))
        .issuer_name(_name(f"cp-tui test CA {tag}"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("mail.test"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(host_ip)), x509.DNSName("mail.test")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    pem = serialization.Encoding.PEM
    authority = Authority(folder / f"ca-{tag}.pem", folder / f"server-{tag}.pem", folder / "k.pem")
    authority.key_pem = folder / f"server-{tag}.key"
    authority.ca_pem.write_bytes(ca_cert.public_bytes(pem))
    authority.cert_pem.write_bytes(cert.public_bytes(pem))
    authority.key_pem.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return authority


def _server_context(authority: Authority) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(authority.cert_pem, authority.key_pem)
    return context


@dataclass
class TlsServer:
    inbox: Inbox
    port: int
    authority: Authority


def _start(authority: Authority, **kwargs: Any) -> Iterator[TlsServer]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        auth_required=True,
        authenticator=_authenticator,
        **kwargs,
    )
    controller.start()
    try:
        yield TlsServer(inbox, port, authority)
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return _make_authority(tmp_path_factory.mktemp("tls"), "practice")


@pytest.fixture
def starttls(authority: Authority) -> Iterator[TlsServer]:
    # The login is refused until STARTTLS: the password never crosses in plain text.
    yield from _start(
        authority,
        tls_context=_server_context(authority),
        require_starttls=True,
        auth_require_tls=True,
    )


@pytest.fixture
def implicit_ssl(authority: Authority) -> Iterator[TlsServer]:
    # aiosmtpd's TLS check only knows STARTTLS; this whole connection is TLS from the start.
    yield from _start(authority, ssl_context=_server_context(authority), auth_require_tls=False)


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "right horse")
    # The system's authorities only: nothing in the environment trusts the test CA.
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


def configure(services: Services, server: TlsServer, security: str, ca_file: str) -> None:
    services.practice.update(name="Harbour Street Counselling")
    services.mail.configure(
        host="127.0.0.1",
        port=server.port,
        security=security,
        user="billing",
        from_addr=FROM,
        ca_file=ca_file,
    )


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_invoice_goes_out_over_tls_to_a_server_signed_by_the_named_authority(
    services: Services,
    practice: Practice,
    security: str,
    request: pytest.FixtureRequest,
) -> None:
    server: TlsServer = request.getfixturevalue(
        "starttls" if security == "starttls" else "implicit_ssl"
    )
    configure(services, server, security, str(server.authority.ca_pem))
    assert services.mail.settings().ca_file == str(server.authority.ca_pem.resolve())
    number = an_invoice(services, practice)

    result = services.mail.send_invoice(number)

    assert result.status == "sent"
    [message] = server.inbox.messages
    _name, content = attachment(message)
    assert number in pdf_text(content)
    assert services.invoices.get(number).sent is True


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_certificate_the_system_does_not_trust_fails_and_says_what_to_do(
    services: Services,
    practice: Practice,
    security: str,
    request: pytest.FixtureRequest,
) -> None:
    server: TlsServer = request.getfixturevalue(
        "starttls" if security == "starttls" else "implicit_ssl"
    )
    configure(services, server, security, "")
    number = an_invoice(services, practice)

    with pytest.raises(SendFailed) as failed:
        services.mail.send_invoice(number)

    text = str(failed.value)
    assert "showed a certificate that cannot be trusted (unable to get local issuer" in text
    assert "--ca-file" in text
    assert server.inbox.messages == []
    assert services.invoices.get(number).sent is False
    [logged] = services.mail.log(document=number)
    assert logged.status == "failed" and "cannot be trusted" in logged.error


def test_a_certificate_from_another_authority_is_refused(
    services: Services, practice: Practice, starttls: TlsServer, tmp_path: Path
) -> None:
    stranger = _make_authority(tmp_path, "stranger")
    configure(services, starttls, "starttls", str(stranger.ca_pem))
    with pytest.raises(SendFailed, match="cannot be trusted"):
        services.mail.test()
    assert starttls.inbox.messages == []


def test_a_certificate_for_another_host_is_refused(
    services: Services, practice: Practice, tmp_path: Path
) -> None:
    wrong_host = _make_authority(tmp_path, "elsewhere", host_ip="10.9.8.7")
    server = _start(
        wrong_host,
        tls_context=_server_context(wrong_host),
        require_starttls=True,
        auth_require_tls=True,
    )
    running = next(server)
    try:
        configure(services, running, "starttls", str(wrong_host.ca_pem))
        with pytest.raises(SendFailed, match=r"cannot be trusted \(IP address mismatch"):
            services.mail.test()
        assert running.inbox.messages == []
    finally:
        server.close()


def test_a_ca_file_that_is_missing_or_not_pem_is_refused_when_set(
    services: Services, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match="is not a file"):
        services.mail.configure(ca_file=str(tmp_path / "gone.pem"))
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(InvalidInput, match="no PEM certificate"):
        services.mail.configure(ca_file=str(junk))
    assert services.mail.settings().ca_file == ""
