/** @odoo-module **/
// The administrator compares Odoo's stock with Omnitron's before anything is written
// (tests/test_stock_sync.py runs it in headless Chromium), then sends Odoo's numbers.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("omnitron_stock_comparison_tour", {
    steps: () => [
        {
            content: "Open the account's Stock tab",
            trigger: ".o_notebook .nav-link:contains('Stock')",
            run: "click",
        },
        {
            content: "Compare the stock list with Omnitron",
            trigger: ".o_field_widget[name='stock_list_ids'] .o_data_row button[name='action_compare']",
            run: "click",
        },
        {
            content: "Odoo's 10 beside Omnitron's 15 for MUG-1, and what Omnitron holds in reservation",
            trigger:
                ".o_omnitron_comparison .o_data_row:has(td[name='sku']:contains('MUG-1')):has(td[name='odoo_stock']:contains('10')):has(td[name='omnitron_stock']:contains('15')):has(td[name='sold_quantity_unreported']:contains('2'))",
        },
        {
            content: "A SKU only Omnitron has is listed too",
            trigger: ".o_omnitron_comparison .o_data_row td[name='sku']:contains('GHOST-1')",
        },
        {
            content: "Two SKUs differ",
            trigger: ".o_field_widget[name='differing_count']:contains('2')",
        },
        {
            content: "Send Odoo's numbers",
            trigger: ".o_form_view button[name='action_send_differences']",
            run: "click",
        },
        {
            content: "Odoo says what it sends",
            trigger: ".o_notification:contains(\"Odoo's numbers of 1 SKUs are being sent to Omnitron.\")",
        },
    ],
});
