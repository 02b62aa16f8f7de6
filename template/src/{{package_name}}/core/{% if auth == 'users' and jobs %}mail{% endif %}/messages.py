"""The service's emails, rendered from the email templates a team edits: the accounts' in `<package>/mail_templates/`,
a domain's own in its folder, `<package>/<domain>/mail_templates/` (`bookings/mail_templates/booking_confirmed.txt`).

An email's name is its file's stem, and a domain's is prefixed by its folder: `password_reset`,
`bookings/booking_confirmed`. Each email is two files named after it: `<name>.txt` (its first line is `Subject: …`,
then a blank line, then the plain-text body) and `<name>.html` (the HTML body). Both are `string.Template`s: `$name`
or `${name}` is replaced by a value the service passes (HTML-escaped in the HTML body), and a placeholder the service
does not pass fails the job loudly rather than sending a message with a hole in it. `$$` is a literal dollar sign.

Whoever sends an email declares it once, beside its task, with the values it passes (`Mail`): sending checks the
values against it, and the tests render every email's files found on disk with its declaration's values
(`templates_found`, `DECLARED`), so an email naming a value its sender does not pass fails a test, not a job.

A value the service passes as None is one it does not have for this email (`link` when no page is set for it, in
development): every line naming it is left out, with the blank line that would then be doubled, so a sentence about it
goes with it. `string.Template` cannot branch; this keeps the wording in the files.
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Final

from .addresses import RECIPIENT, SENDER, ascii_domain, smtp_address, smtp_mailbox

PACKAGE: Final = Path(__file__).resolve().parents[2]
FOLDER: Final = "mail_templates"
TEMPLATES: Final = PACKAGE / FOLDER  # the accounts' emails (and any a team named without a domain)
SUBJECT_PREFIX: Final = "Subject:"
KINDS: Final = ("txt", "html")
ADDED_BY_SENDING: Final = frozenset({"service_name"})  # sending.py passes it to every email

MailValues = Mapping[str, str | None]
"""The values of an email's placeholders; None: the service has none for this email (its lines are left out)."""


class MailTemplateError(Exception):
    """An email's file is missing, malformed, or names a value the service does not pass; or its sender passes values
    other than those it declared."""


@dataclass(frozen=True, slots=True, init=False)
class Mail:
    """An email a task sends, declared beside it: `CONFIRMED = Mail("bookings/booking_confirmed", "starts_at")`, its
    name and the values its sender passes (besides `service_name`, which every email gets); `optional` ones may be
    passed as None (their lines are left out). Declaring it registers it in `DECLARED`, which the tests read."""

    name: str
    values: frozenset[str]
    optional: frozenset[str]

    def __init__(self, name: str, *values: str, optional: Iterable[str] = ()) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "values", frozenset(values) | frozenset(optional))
        object.__setattr__(self, "optional", frozenset(optional))
        if DECLARED.setdefault(name, self) != self:
            raise MailTemplateError(f"email {name} is declared twice, with other values")

    def checked(self, values: MailValues) -> MailValues:
        """`values` when they are the declared ones (and only optional ones are None)."""
        given = set(values) - ADDED_BY_SENDING
        if given != self.values:
            raise MailTemplateError(
                f"email {self.name}: its sender passes {sorted(given)}, it declares {sorted(self.values)}"
            )
        unset = sorted(key for key, value in values.items() if value is None and key not in self.optional)
        if unset:
            raise MailTemplateError(f"email {self.name}: {unset} passed as None, not declared optional")
        return values


DECLARED: Final[dict[str, Mail]] = {}
"""Every `Mail` declared so far, by name: the task modules declare theirs when they are imported (the worker imports
them all; the tests too, to check every email's files against its sender)."""


def templates_found(root: Path = PACKAGE) -> frozenset[str]:
    """The name of every email with a file in `root`'s `mail_templates/` or in a domain's (`<domain>/mail_templates/`):
    what is on disk, whether a task sends it or not."""
    found = {path.stem for kind in KINDS for path in (root / FOLDER).glob(f"*.{kind}")}
    for kind in KINDS:
        found.update(f"{path.parent.parent.name}/{path.stem}" for path in root.glob(f"*/{FOLDER}/*.{kind}"))
    return frozenset(found)


def template_path(name: str, kind: str, root: Path = PACKAGE) -> Path:
    """The file of the email `name` (`domain/stem` or `stem`)."""
    domain, _, stem = name.rpartition("/")
    if not stem or "/" in domain or stem.startswith(".") or domain.startswith("."):
        raise MailTemplateError(f"{name!r} is not an email's name (`<name>` or `<domain>/<name>`)")
    return root / domain / FOLDER / f"{stem}.{kind}"


@dataclass(frozen=True, slots=True)
class MailTemplates:
    root: Path = PACKAGE  # the service's package: `mail_templates/` and `<domain>/mail_templates/` inside it

    def message(self, name: str, *, sender: str, recipient: str, values: MailValues) -> EmailMessage:
        """The email `name` (`password_reset`, `bookings/booking_confirmed`) to `recipient`, plain text with an HTML
        alternative, its addresses as SMTP carries them (addresses.py: an internationalised domain as A-labels);
        `UnsendableAddressError` when one cannot be."""
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
        subject = first.removeprefix(SUBJECT_PREFIX).strip()
        if not first.startswith(SUBJECT_PREFIX) or not subject:
            raise MailTemplateError(f"{name}.txt must start with a '{SUBJECT_PREFIX} …' line")
        return subject, body.lstrip("\n")

    def _substituted(self, name: str, kind: str, values: MailValues) -> str:
        path = template_path(name, kind, self.root)
        try:
            source = path.read_text(encoding="utf-8")
        except OSError:
            raise MailTemplateError(f"no file {path.name} in {path.parent}") from None
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
