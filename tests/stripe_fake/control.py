"""Starting the fake Stripe server for a test run, and its test controls."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

TEST_KEY = "sk_test_cp_tui_fake_key"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fake_stripe() -> Iterator[FakeStripe]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.stripe_fake.server", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"the fake Stripe server did not start: {err}") from None
                time.sleep(0.05)
        yield FakeStripe(base)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # a hung request holds the shutdown
            process.kill()
            process.wait(timeout=5)


class FakeStripe:
    def __init__(self, base: str) -> None:
        self.base = base
        self._http = requests.Session()
        self._http.auth = (TEST_KEY, "")

    def _post(self, url_path: str, **data: Any) -> dict[str, Any]:
        response = self._http.post(f"{self.base}{url_path}", data=data, timeout=10)
        response.raise_for_status()
        return dict(response.json())

    def reset(self) -> None:
        self._post("/_test/reset")

    def predictable(self, url_base: str = "https://pay.stripe.test") -> None:
        """Hand out counted ids and hosted pages under ``url_base`` until the next reset."""
        self._post("/_test/predictable", url_base=url_base)

    def complete_checkout(self, session_id: str, payment_method: str = "pm_card_visa") -> None:
        self._post(f"/_test/checkout/{session_id}/complete", payment_method=payment_method)

    def pay_invoice(self, remote_id: str) -> None:
        self._post(f"/_test/invoices/{remote_id}/pay")

    def delay(self, path: str, seconds: float, times: int = 1) -> None:
        self._post("/_test/delay", path=path, seconds=seconds, times=times)

    def hang(self, path: str) -> None:
        self._post("/_test/hang", path=path)

    def stats(self) -> dict[str, Any]:
        response = self._http.get(f"{self.base}/_test/stats", timeout=10)
        response.raise_for_status()
        return dict(response.json())

    def requests(self) -> list[dict[str, Any]]:
        response = self._http.get(f"{self.base}/_test/requests", timeout=10)
        response.raise_for_status()
        return list(response.json())

    def intents_for(self, attempt_or_invoice: str, key: str = "cp_invoice") -> list[dict[str, Any]]:
        return [
            pi
            for pi in self.stats()["payment_intents"]
            if pi["metadata"].get(key) == attempt_or_invoice
        ]
