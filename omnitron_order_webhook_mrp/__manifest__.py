{
    "name": "Omnitron Order Webhook - Kits",
    "summary": "Kits (kit bills of materials) in Omnitron's stock lists, counted from their components",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "license": "LGPL-3",
    "author": "Omnitron Order Webhook Developers",
    "maintainers": ["omnitron-order-webhook"],
    "development_status": "Beta",
    "depends": ["omnitron_order_webhook", "mrp"],
    "auto_install": True,
}
