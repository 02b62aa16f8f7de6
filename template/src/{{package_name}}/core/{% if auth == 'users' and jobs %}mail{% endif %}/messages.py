"""The service's emails, rendered from the email templates a team edits in `<package>/mail_templates/`.

Each email is two files named after it: `<name>.txt` (its first line is `Subject: …`, then a blank line, then the
plain-text body) and `<name>.html` (the HTML body). Both are `string.Template`s: `$name` or `${name}` is replaced by a
value the service passes (HTML-escaped in the HTML body), and a placeholder the service does not pass fails the job
loudly rather than sending a message with a hole in it. `$$` is a literal dollar sign.
"""

from __future__ import annotations

import html
import string
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Final

TEMPLATES: Final = Path(__file__).resolve().parents[2] / "mail_templates"
SUBJECT_PREFIX: Final = "Subject:"


def sender_domain(sender: str) -> str | None:
    """The domain of a From (`Shop <no-reply@shop.example>`: `shop.example`); None when it has none."""
    return parseaddr(sender)[1].rpartition("@")[2] or None


class MailTemplateError(Exception):
    """An email's file is missing, malformed, or names a value the service does not pass."""


@dataclass(frozen=True, slots=True)
class MailTemplates:
    directory: Path = TEMPLATES

    def message(self, name: str, *, sender: str, recipient: str, values: dict[str, str]) -> EmailMessage:
        """The email `name` to `recipient`, plain text with an HTML alternative."""
        subject, text = self._plain_text(name, values)
        message = EmailMessage()
        message["From"] = sender
        message["To"] = recipient
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=sender_domain(sender))
        message["Date"] = formatdate(usegmt=True)  # RFC 5322 requires it; relays do not add it for a submitter
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders do not answer it
        message.set_content(text)
        escaped = {key: html.escape(value) for key, value in values.items()}
        message.add_alternative(self._substituted(name, "html", escaped), subtype="html")
        return message

    def _plain_text(self, name: str, values: dict[str, str]) -> tuple[str, str]:
        rendered = self._substituted(name, "txt", values)
        first, _, body = rendered.partition("\n")
        if not first.startswith(SUBJECT_PREFIX):
            raise MailTemplateError(f"{name}.txt must start with a '{SUBJECT_PREFIX} …' line")
        return first.removeprefix(SUBJECT_PREFIX).strip(), body.lstrip("\n")

    def _substituted(self, name: str, kind: str, values: dict[str, str]) -> str:
        path = self.directory / f"{name}.{kind}"
        try:
            text = string.Template(path.read_text(encoding="utf-8"))
        except OSError:
            raise MailTemplateError(f"no file {path.name} in {self.directory}") from None
        try:
            return text.substitute(values)
        except (KeyError, ValueError) as exc:
            raise MailTemplateError(f"{path.name}: placeholder {exc} has no value") from None
