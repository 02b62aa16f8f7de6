"""The service's emails, rendered from the email templates a team edits in `<package>/mail_templates/`.

Each email is two files named after it: `<name>.txt` (its first line is `Subject: …`, then a blank line, then the
plain-text body) and `<name>.html` (the HTML body). Both are `string.Template`s: `$name` or `${name}` is replaced by a
value the service passes (HTML-escaped in the HTML body), and a placeholder the service does not pass fails the job
loudly rather than sending a message with a hole in it. `$$` is a literal dollar sign.

A value the service passes as None is one it does not have for this email (`link` when no page is set for it, in
development): every line naming it is left out, with the blank line that would then be doubled, so a sentence about it
goes with it. `string.Template` cannot branch; this keeps the wording in the files.
"""

from __future__ import annotations

import html
import string
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Final

from .addresses import RECIPIENT, SENDER, ascii_domain, smtp_address, smtp_mailbox

TEMPLATES: Final = Path(__file__).resolve().parents[2] / "mail_templates"
SUBJECT_PREFIX: Final = "Subject:"

MailValues = Mapping[str, str | None]
"""The values of an email's placeholders; None: the service has none for this email (its lines are left out)."""


class MailTemplateError(Exception):
    """An email's file is missing, malformed, or names a value the service does not pass."""


@dataclass(frozen=True, slots=True)
class MailTemplates:
    directory: Path = TEMPLATES

    def message(self, name: str, *, sender: str, recipient: str, values: MailValues) -> EmailMessage:
        """The email `name` to `recipient`, plain text with an HTML alternative, its addresses as SMTP carries them
        (addresses.py: an internationalised domain as A-labels); `UnsendableAddressError` when one cannot be."""
        subject, text = self._plain_text(name, values)
        sender_mailbox = smtp_mailbox(sender, whose=SENDER)
        message = EmailMessage()
        message["From"] = sender_mailbox
        message["To"] = smtp_address(recipient, whose=RECIPIENT)
        message["Subject"] = subject
        # A Message-ID is ASCII: A-labels even where the From keeps its domain as written (a local part beyond ASCII).
        message["Message-ID"] = make_msgid(domain=ascii_domain(sender_mailbox.domain, whose=SENDER) or None)
        message["Date"] = formatdate(usegmt=True)  # RFC 5322 requires it; relays do not add it for a submitter
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders do not answer it
        message.set_content(text)
        escaped = {key: None if value is None else html.escape(value) for key, value in values.items()}
        message.add_alternative(self._substituted(name, "html", escaped), subtype="html")
        return message

    def _plain_text(self, name: str, values: MailValues) -> tuple[str, str]:
        rendered = self._substituted(name, "txt", values)
        first, _, body = rendered.partition("\n")
        if not first.startswith(SUBJECT_PREFIX):
            raise MailTemplateError(f"{name}.txt must start with a '{SUBJECT_PREFIX} …' line")
        return first.removeprefix(SUBJECT_PREFIX).strip(), body.lstrip("\n")

    def _substituted(self, name: str, kind: str, values: MailValues) -> str:
        path = self.directory / f"{name}.{kind}"
        try:
            source = path.read_text(encoding="utf-8")
        except OSError:
            raise MailTemplateError(f"no file {path.name} in {self.directory}") from None
        absent = {key for key, value in values.items() if value is None}
        present = {key: value for key, value in values.items() if value is not None}
        try:
            return string.Template(without_lines_naming(source, absent)).substitute(present)
        except (KeyError, ValueError) as exc:
            raise MailTemplateError(f"{path.name}: placeholder {exc} has no value") from None


def without_lines_naming(source: str, absent: set[str]) -> str:
    """`source` without its lines that name a placeholder in `absent`; a blank line that would follow another blank
    line (or start the text) where one was left out goes too, so paragraphs stay one blank line apart."""
    kept: list[str] = []
    after_a_gap = False
    for line in source.splitlines(keepends=True):
        if absent.intersection(string.Template(line).get_identifiers()):
            after_a_gap = after_a_gap or not kept or not kept[-1].strip()
            continue
        if after_a_gap and not line.strip():
            continue
        after_a_gap = False
        kept.append(line)
    return "".join(kept)
