"""Builds multipart e-mails (text + HTML, .ics, PDF) and hands them to an SMTP server."""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime


@dataclass
class Outgoing:
    """One rendered message to one recipient."""

    to: str
    subject: str
    text: str
    html: str
    ics: bytes | None = None
    ics_method: str = "REQUEST"
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, mime, data


class PermanentFailureError(Exception):
    """The SMTP server refused the message for good (5xx): retrying cannot help."""


def build_message(out: Outgoing, sender: str, message_id: str, date: dt.datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = out.to
    msg["Subject"] = out.subject
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(date.astimezone(dt.UTC))
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(out.text, charset="utf-8")
    msg.add_alternative(out.html, subtype="html", charset="utf-8")
    if out.ics is not None:
        # Calendar clients read the text/calendar part with its method; the attachment is for
        # clients that only offer files.
        msg.add_attachment(
            out.ics,
            maintype="text",
            subtype="calendar",
            filename="invite.ics" if out.ics_method == "REQUEST" else "cancel.ics",
            params={"method": out.ics_method},
        )
    for name, mime, data in out.attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


class Connection:
    """One SMTP connection reused for a run of messages (opened on first use, closed by
    `close()` or after any error, so a broken connection is never reused)."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._smtp: smtplib.SMTP | None = None

    def send(self, msg: EmailMessage) -> None:
        """Deliver one message. Raises PermanentFailureError on 5xx, others to retry."""
        try:
            if self._smtp is None:
                self._smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            self._smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            codes = [c for c, _ in exc.recipients.values()]
            if codes and all(500 <= c < 600 for c in codes):
                raise PermanentFailureError(f"the server refused {exc.recipients}") from exc
            raise
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            self._reset()
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailureError(
                    f"the server refused the message: {exc.smtp_code}"
                ) from exc
            raise
        except (OSError, smtplib.SMTPException):
            self._reset()
            raise

    def _reset(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
