"""What the services know of one delivery besides its order, in one value.

Built once where a delivery enters: by the controller after authentication,
or by the event log when an administrator reprocesses a stored delivery.
The services, the event row and the Sentry report read it; nothing about a
delivery rides in the Odoo context.
"""

import dataclasses
import time
from datetime import datetime, timezone

from . import const, privacy


@dataclasses.dataclass(frozen=True)
class Arrival:
    started: datetime  # when the delivery arrived, naive UTC (as Odoo stores datetimes)
    started_clock: float  # time.monotonic() then, for the event's duration
    user: object  # the sender, a res.users record (the pull's: Odoo's own superuser)
    account: object = None  # the omnitron.account the delivery came from (the sender's, or the one pulled)
    settings: object = None  # core.settings.Settings; None when they are invalid (config_error)
    token: object = None  # the omnitron.token record used; None when reprocessed
    clear_token: str | None = None  # the token as sent: only to keep it out of reports
    raw_document: object = None  # the body as decoded: only to keep its secrets out of reports
    document: object = None  # the body without the channel's credentials: stored and filtered on
    webhook: str = const.WEBHOOK_ORDER  # which webhook it came to (const.WEBHOOKS)
    source: str = const.SOURCE_WEBHOOK  # how it reached Odoo (const.SOURCES): posted, pulled, reprocessed
    # The account's password and API key, asked only when a report is made: never in one.
    secrets: object = tuple

    @property
    def company(self):
        """The company the delivery is for: its account's (a sender belongs to its account's company)."""
        return self.account.company_id if self.account else self.user.company_id

    @classmethod
    def now(cls, user, **values):
        started = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        return cls(started=started, started_clock=time.monotonic(), user=user, **values)

    def with_body(self, raw_document):
        """This arrival once its body is decoded."""
        return dataclasses.replace(self, raw_document=raw_document, document=privacy.without_credentials(raw_document))

    def elapsed_ms(self):
        return int((time.monotonic() - self.started_clock) * 1000)

    def sensitive_values(self):
        """What a report about this delivery must not contain."""
        document = self.raw_document if self.raw_document is not None else self.document
        values = privacy.sensitive_values(document, self.clear_token)
        values.update(str(secret) for secret in self.secrets() if secret)  # the API password and key
        return values

    def parse(self):
        """The call in this arrival's document, as its webhook reads it (raises InvalidPayload)."""
        from .validation import parse_cancellation_plan, parse_webhook_call  # noqa: PLC0415 - validation imports nothing of ours back

        if self.webhook == const.WEBHOOK_CANCELLATION_PLAN:
            return parse_cancellation_plan(self.document)
        return parse_webhook_call(
            self.document,
            quantity_key=self.settings.item_quantity_key,
            max_order_units=self.settings.max_order_units,
        )
