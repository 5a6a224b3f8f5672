"""D12: the invitation e-mail. Sent by SMTP when ``WORKTALLY_SMTP_URL`` is set, else the link is
written to the server log (INFO), so an operator can hand it over.

``WORKTALLY_SMTP_URL`` forms: ``smtp://[user:password@]host[:port]`` (plain, port 25; add
``?starttls=true`` for STARTTLS, port 587 by convention) and ``smtps://…`` (TLS from the start, port 465).
Sending runs in a thread after the request's transaction has committed; a failure is logged, never raised.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from worktally.config import Settings

log = logging.getLogger("worktally.member.mail")

SMTP_TIMEOUT_SECONDS = 10.0
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class InvitationMail:
    to: str
    firstname: str
    workspace_name: str
    link: str
    existing_account: bool = False  # True: the invitee signs in with their account to accept


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    use_tls: bool
    starttls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("WORKTALLY_SMTP_URL must look like smtp://user:password@host:port")
    use_tls = parts.scheme == "smtps"
    query = {k.lower(): v[-1].lower() for k, v in parse_qs(parts.query).items()}
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if use_tls else 25),
        use_tls=use_tls,
        starttls=not use_tls and query.get("starttls", "") in _TRUE,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def build_message(mail: InvitationMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"You are invited to {mail.workspace_name} on Worktally"
    message["From"] = sender
    message["To"] = mail.to
    how = (
        "Sign in with your Worktally account and accept here"
        if mail.existing_account
        else "Choose a password and join here"
    )
    message.set_content(
        f"Hello {mail.firstname},\n\n"
        f"You have been invited to the workspace {mail.workspace_name}.\n"
        f"{how} (the link works once, for 7 days):\n\n{mail.link}\n"
    )
    return message


def send_smtp(target: SmtpTarget, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if target.use_tls:
        smtp = smtplib.SMTP_SSL(target.host, target.port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
    else:
        smtp = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if target.starttls:
            smtp.starttls(context=context)
        if target.username:
            smtp.login(target.username, target.password or "")
        smtp.send_message(message)


async def deliver_invitation(settings: Settings, mail: InvitationMail) -> None:
    """Send the invitation, or log its link when no SMTP server is configured."""
    if not settings.smtp_url:
        log.info("Invitation for %s to %s: %s", mail.to, mail.workspace_name, mail.link)
        return
    try:
        target = parse_smtp_url(settings.smtp_url)
        await asyncio.to_thread(send_smtp, target, build_message(mail, settings.smtp_from))
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        # The link itself is not logged here: it was meant for the invitee's mailbox only.
        log.error("Could not send the invitation e-mail to %s: %s", mail.to, exc)
    else:
        log.info("Invitation e-mail sent to %s", mail.to)
