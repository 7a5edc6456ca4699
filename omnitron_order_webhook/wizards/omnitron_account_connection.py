from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..core import client_actions, omnitron_api
from ..core import settings as omnitron_settings
from ..core.settings import ConfigError, Secret


class OmnitronAccountConnection(models.TransientModel):
    """*Test connection*: log in with what the administrator typed, and keep it only if Omnitron accepts it.

    The account's URL, username and password change only here (or by an
    administrator's write, which forgets the password when the destination
    moves): a wrong password never replaces a working one, and the stored
    password is never sent to a URL that was just typed.
    """

    _name = "omnitron.account.connection"
    _description = "Test an Omnitron Connection"

    account_id = fields.Many2one("omnitron.account", required=True, readonly=True, ondelete="cascade")
    api_url = fields.Char(string="API URL", required=True)
    api_username = fields.Char(string="API Username", required=True)
    api_password = fields.Char(
        string="API Password",
        help="Leave empty to test the stored password: only with the stored URL and username.",
    )
    password_stored = fields.Boolean(related="account_id.api_password_set")

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards:
            # The account is read as the user first: another company's account is refused as Odoo refuses a read.
            wizard.account_id.check_access("read")
            wizard.account_id._check_manager()
        return wizards

    def action_test_and_save(self):
        """Log in with the typed connection; store it on the account only when Omnitron gave a key."""
        self.ensure_one()
        account = self.account_id
        account.check_access("write")
        account._check_manager()
        connection = self._typed_connection()
        store = self.env["omnitron.api.session"]._key_store(connection, account=account)
        try:
            store.replace(store.current())
        except omnitron_api.ApiFailure as failure:
            # Raised, not returned: the dialog stays open with what was typed, and nothing is stored.
            raise UserError(
                self.env._("Nothing was saved. %(failure)s", failure=account._say_failure(failure))
            ) from None
        values = {"api_url": connection.url, "api_username": connection.username}
        if self.api_password:
            values["api_password"] = self.api_password
        account.write(values)
        account.message_post(
            body=self.env._(
                "%(user)s tested the connection to %(url)s as %(username)s: Omnitron accepted the login.",
                user=self.env.user.name,
                url=connection.url,
                username=connection.username,
            )
        )
        return client_actions.notification(
            self.env._("Logged in to %(url)s as %(user)s.", url=connection.url, user=connection.username),
            title=self.env._("Omnitron connection"),
            then=client_actions.CLOSE_DIALOG,
        )

    def _typed_connection(self):
        account = self.account_id
        url_label = self._fields["api_url"].get_description(self.env)["string"]
        try:
            url = omnitron_settings.parse_url((self.api_url or "").strip(), url_label)
            omnitron_settings.check_destination(url, url_label, sandbox=account._sandbox_allowed())
        except ConfigError as error:
            raise ValidationError(self.env._(error.message, **error.params)) from None
        username = (self.api_username or "").strip()
        if self.api_password:
            password = Secret(self.api_password)
        else:
            # The stored password is only ever sent where it was stored for.
            same_place = (
                url == (account.api_url or "").strip().rstrip("/") and username == (account.api_username or "").strip()
            )
            password = account._api_password() if same_place else None
            if password is None and account.api_password_set:
                raise UserError(
                    self.env._(
                        "API Password: type it. The stored password is only sent to the URL and username it was "
                        "stored with."
                    )
                )
            if password is None:
                raise UserError(self.env._("API Password: type it; this account has none stored."))
        return account._connection_to(url, username, password)
