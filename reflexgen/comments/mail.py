"""The intake's mail: what it says, to whom, and the signed links in it. Messages are
composed here and put in the store's outbox; `outbox.py` sends them.

- The blogger (`[comments.mail] notify`): a message per comment held for moderation, or a
  digest at most every `notify_every` minutes, with links to approve it or mark it as spam.
- A reader who ticked « Me prévenir des réponses »: first a message to confirm the address
  (double opt-in: nothing else is sent to an address not confirmed), then one when their
  comment is on the site and one for each reply to it, once that reply is on the site; each
  with a one-click unsubscribe (RFC 8058). At most one notification (and one confirmation)
  per reader's address every `READER_SPACING`.

A link opens a page of the intake that asks for a click (a POST): mail scanners that open
links change nothing. Moderation links hold a signed token bound to one comment and one
action, valid `LINK_DAYS` and used once. Headers are made by the standard library's `email`
package (no line break can get into one)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlencode, urljoin

from itsdangerous import BadData, URLSafeSerializer, URLSafeTimedSerializer

from reflexgen import urls
from reflexgen.comments.records import Submission
from reflexgen.comments.store import Store
from reflexgen.config import SiteConfig
from reflexgen.config.mail import MailSettings

SALT = "reflexgen-mail"
LINK_DAYS = 7  # moderation and confirmation links
READER_SPACING = timedelta(minutes=10)  # between two confirmations, or two notifications
NOTIFICATIONS = ("published", "reply")
ONE_LINE = re.compile("[\x00-\x1f\x7f\u2028\u2029]+")
DIGEST = "mail.digest"  # meta: the last comment number a digest told of
ACTIONS = ("approve", "spam")


@dataclass(frozen=True)
class Link:
    """What a signed link asks for: `kind` is moderate, confirm, unsubscribe or erase."""

    kind: str
    subject: str  # a comment id (moderate) or an e-mail address
    action: str = ""  # approve or spam (moderate)


class Mailer:
    """Composes the intake's messages for one site and queues them in its store."""

    def __init__(self, config: SiteConfig, settings: MailSettings, pages: Any, store: Store
                 ) -> None:
        self.config, self.settings, self.pages, self.store = config, settings, pages, store
        self.secret = store.secret()

    # links

    def link(self, kind: str, subject: str, action: str = "") -> str:
        """The absolute address of a signed link, on the intake's public address."""
        if kind == "unsubscribe":  # must work for as long as mail is sent
            token = URLSafeSerializer(self.secret, SALT).dumps([kind, subject, action])
        else:
            token = URLSafeTimedSerializer(self.secret, SALT).dumps([kind, subject, action])
        return urljoin(self.config.comments.endpoint, f"mail/{kind}?" + urlencode({"t": token}))

    def read(self, kind: str, token: str) -> Link | None:
        """What a link's token asks for, if it is ours, of this kind and not expired."""
        try:
            if kind == "unsubscribe":
                found = URLSafeSerializer(self.secret, SALT).loads(token)
            else:
                found = URLSafeTimedSerializer(self.secret, SALT).loads(
                    token, max_age=LINK_DAYS * 86400)
        except BadData:  # forged, expired, or a token of another kind
            return None
        if not (isinstance(found, list) and len(found) == 3 and found[0] == kind
                and all(isinstance(part, str) for part in found)):
            return None
        return Link(*found)

    @staticmethod
    def nonce(token: str) -> str:
        """What the store keeps of a used moderation link (single use)."""
        return "mail:" + hashlib.sha256(token.encode()).hexdigest()

    # messages

    def held(self, submissions: list[Submission], now: datetime) -> None:
        """Tell the blogger of comments held for moderation (one message for them all)."""
        if not self.settings.notify or not submissions:
            return
        t = self.pages.t
        items = [self._item(s) for s in submissions]
        subject = t("mail_held_subject", count=len(items), site=self.config.title) \
            if len(items) > 1 else t("mail_held_one", author=submissions[0].author,
                                     title=items[0]["title"])
        lines = []
        for item in items:
            lines += [t("mail_comment_by", author=item["author"], title=item["title"]),
                      "", item["body"], "", f"{t('mail_approve')}: {item['approve']}",
                      f"{t('mail_spam')}: {item['spam']}", "", "—", ""]
        lines.append(f"{t('mail_queue')}: {urljoin(self.config.comments.endpoint, 'admin/')}")
        self._queue(self.settings.notify, "held", subject, lines, now,
                    html=self.pages.mail("held", items=items, queue=urljoin(
                        self.config.comments.endpoint, "admin/")))

    def confirm(self, email: str, now: datetime) -> None:
        t = self.pages.t
        link = self.link("confirm", email.casefold())
        self._queue(email, "confirm", t("mail_confirm_subject", site=self.config.title),
                    [t("mail_confirm_text", site=self.config.title), "", link, "",
                     t("mail_confirm_ignore")], now, spacing=READER_SPACING, once=True,
                    html=self.pages.mail("confirm", link=link))

    def erase_request(self, email: str, now: datetime) -> None:
        """A reader asked for everything about their address to be erased: a link to
        confirm it, sent to that address (so only its owner can)."""
        t = self.pages.t
        link = self.link("erase", email.casefold())
        self._queue(email, "erase", t("mail_erase_subject", site=self.config.title),
                    [t("mail_erase_text", site=self.config.title), "", link, "",
                     t("mail_confirm_ignore")], now, spacing=READER_SPACING, once=True,
                    html=self.pages.mail("erase", link=link))

    def published(self, submission: Submission, email: str, now: datetime) -> None:
        item = self._item(submission)
        t = self.pages.t
        self._queue(email, "published", t("mail_published_subject", title=item["title"]),
                    [t("mail_published_text", title=item["title"]), "", item["url"]], now,
                    spacing=READER_SPACING, alike=NOTIFICATIONS, unsubscribe=email,
                    html=self.pages.mail("published", item=item))

    def replied(self, reply: Submission, email: str, now: datetime) -> None:
        item = self._item(reply)
        t = self.pages.t
        self._queue(email, "reply", t("mail_reply_subject", author=reply.author,
                                      title=item["title"]),
                    [t("mail_reply_text", author=reply.author, title=item["title"]), "",
                     item["body"], "", item["url"]], now, spacing=READER_SPACING,
                    alike=NOTIFICATIONS, unsubscribe=email,
                    html=self.pages.mail("reply", item=item))

    def _item(self, submission: Submission) -> dict[str, str]:
        article = self.pages.article(submission.thread)
        title = article.title if article else submission.thread
        url = urls.absolute(self.config.base_url, article.url if article else "/")
        return {"id": submission.id, "author": submission.author, "title": title,
                "body": submission.body, "url": f"{url}#comment-{submission.id}",
                "html": self.pages.comment_html(submission.body, self.config.language),
                "approve": self.link("moderate", submission.id, "approve"),
                "spam": self.link("moderate", submission.id, "spam")}

    def _queue(self, recipient: str, kind: str, subject: str, lines: list[str],
               now: datetime, html: str, spacing: timedelta | None = None,
               alike: tuple[str, ...] = (), unsubscribe: str = "", once: bool = False) -> None:
        message = EmailMessage(policy=SMTP)
        sender = self.settings.sender
        message["From"] = Address(self.config.title, addr_spec=sender)
        message["To"] = recipient
        message["Subject"] = ONE_LINE.sub(" ", subject)  # a title may hold line breaks
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
        if unsubscribe:
            link = self.link("unsubscribe", unsubscribe.casefold())
            message["List-Unsubscribe"] = f"<{link}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            lines = [*lines, "", "—", f"{self.pages.t('mail_unsubscribe')}: {link}"]
        message.set_content("\n".join(lines) + "\n")
        message.add_alternative(html, subtype="html")
        self.store.queue_mail(recipient, kind, message.as_bytes(), now, spacing, alike, once)


def announce_published(mailer: Mailer, store: Store, now: datetime) -> int:
    """After a publication is on the site: tell each reader who follows a comment that it is
    there, and that a reply to it is; how many messages were queued. One transaction: two
    intake processes never tell twice."""
    with store.atomic():
        return _announce(mailer, store, now)


def _announce(mailer: Mailer, store: Store, now: datetime) -> int:
    queued = 0
    for submission in store.to_notify():
        if not store.claim_notified(submission.id):  # another process tells this one
            continue
        own = store.subscriber(submission.id)
        if own:
            mailer.published(submission, own, now)
            queued += 1
        parent = store.subscriber(submission.parent) if submission.parent else None
        if parent and parent != (submission.email or "").casefold():
            mailer.replied(submission, parent, now)
            queued += 1
    return queued
