"""SMS backends. Pick one with FRONTOFFICE_SMS_BACKEND.

- ``file``: writes each message as a JSON file (the local, working default);
- ``console``: prints it;
- ``http``: POSTs JSON to a generic SMS gateway (``FRONTOFFICE_SMS_HTTP_URL``
  with an optional bearer token) and expects a 2xx answer, optionally with an
  ``id`` field.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone


class SmsError(Exception):
    """The backend could not hand the message over."""


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    sender: str


class FileSmsBackend:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory or settings.SMS_FILE_DIR)

    def send(self, sms: Sms) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        message_id = uuid.uuid4().hex
        payload = {
            "id": message_id,
            "to": sms.to,
            "from": sms.sender,
            "text": sms.text,
            "at": timezone.now().isoformat(),
        }
        (self.directory / f"{message_id}.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
        return message_id


class ConsoleSmsBackend:
    def send(self, sms: Sms) -> str:
        message_id = uuid.uuid4().hex
        sys.stdout.write(f"SMS {message_id} from {sms.sender} to {sms.to}: {sms.text}\n")
        return message_id


class HttpGatewaySmsBackend:
    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 15) -> None:
        self.url = url or settings.SMS_HTTP_URL
        self.token = token if token is not None else settings.SMS_HTTP_TOKEN
        self.timeout = timeout

    def send(self, sms: Sms) -> str:
        body = json.dumps({"to": sms.to, "from": sms.sender, "text": sms.text}).encode()
        # The URL comes from settings, which only accept http(s).
        request = urllib.request.Request(  # noqa: S310
            self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - URL is configuration
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise SmsError(f"gateway answered {error.code}") from error
        except (urllib.error.URLError, TimeoutError) as error:
            raise SmsError(f"gateway unreachable: {error}") from error
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        return str(answer.get("id", "")) if isinstance(answer, dict) else ""


def get_sms_backend() -> FileSmsBackend | ConsoleSmsBackend | HttpGatewaySmsBackend:
    kind = settings.SMS_BACKEND
    if kind == "http":
        return HttpGatewaySmsBackend()
    if kind == "console":
        return ConsoleSmsBackend()
    return FileSmsBackend()
