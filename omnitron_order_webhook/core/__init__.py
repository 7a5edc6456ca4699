"""Pure-Python core of the Omnitron order webhook.

Nothing in this package imports ``odoo``: it validates the webhook body,
holds the mapping tables and turns a validated order into plain values, so
it is tested without a database (``tests/`` at the repository root).
"""
