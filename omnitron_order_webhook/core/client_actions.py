"""The web client's actions the buttons answer with (pure: plain dictionaries Odoo's client reads)."""

CLOSE_DIALOG = {"type": "ir.actions.act_window_close"}
SOFT_RELOAD = {"type": "ir.actions.client", "tag": "soft_reload"}


def notification(message, kind="success", *, title=None, sticky=False, then=None):
    """A toast saying ``message`` (``kind``: success, info, warning, danger), then the action ``then``.

    >>> notification("Done.", then=CLOSE_DIALOG)["params"]
    {'type': 'success', 'message': 'Done.', 'sticky': False, 'next': {'type': 'ir.actions.act_window_close'}}
    """
    if kind not in ("success", "info", "warning", "danger"):
        raise ValueError(f"kind must be success, info, warning or danger, not {kind!r}")
    params = {"type": kind, "message": message, "sticky": sticky}
    if title:
        params["title"] = title
    if then:
        params["next"] = then
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}
