/** @odoo-module **/
// Tours of the back office, run in headless Chromium by tests/test_tours.py,
// which prepares the data and checks the database afterwards.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("omnitron_settings_tour", {
    url: "/odoo/settings",
    steps: () => [
        {
            content: "Open the Sales settings",
            trigger: ".settings_tab .tab[data-key='sale_management']",
            run: "click",
        },
        {
            content: "Allow channel 20 only",
            trigger: "input[id^='omnitron_allowed_channels']",
            run: "edit 20",
        },
        {
            content: "Ignore orders below Omnitron id 500",
            trigger: "input[id^='omnitron_min_order_omnitron_id']",
            run: "edit 500",
        },
        {
            content: "The summary says which channels will be imported",
            trigger: "div[name='omnitron_filter_summary']:contains('Accepting orders of channels 20')",
            run() {
                document.body.classList.add("o_omnitron_before_save");
            },
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The settings page reloaded with the saved values",
            trigger: "body:not(.o_omnitron_before_save) input[id^='omnitron_allowed_channels']:value(20)",
        },
        {
            content: "The summary now includes the minimum id",
            trigger: "div[name='omnitron_filter_summary']:contains('with an Omnitron id of at least 500')",
        },
    ],
});

registry.category("web_tour.tours").add("omnitron_order_tour", {
    steps: () => [
        {
            content: "Open the Omnitron tab of the imported order",
            trigger: ".o_form_view a.nav-link[name='omnitron']",
            run: "click",
        },
        {
            content: "The Omnitron number is shown",
            trigger: "div[name='omnitron_number']:contains('202531672482')",
        },
        {
            content: "The channel is shown",
            trigger: "div[name='omnitron_channel_name']:contains('Lacoste N11')",
        },
        {
            content: "The tracking number is shown",
            trigger: "div[name='omnitron_tracking_number']:contains('202531672482')",
        },
        {
            content: "The delivery type is shown",
            trigger: "div[name='omnitron_delivery_type']:contains('same_day')",
        },
    ],
});

registry.category("web_tour.tours").add("omnitron_reprocess_tour", {
    steps: () => [
        {
            content: "The event says why the order was not imported",
            trigger: "div[name='reason']:contains('cargo_company_not_found')",
        },
        {
            content: "Set up the missing carrier from the event",
            trigger: "button[name='action_open_carriers']",
            run: "click",
        },
        {
            content: "Create a shipping method",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Its Omnitron codes are prefilled from the order",
            trigger: "div[name='omnitron_erp_code'] input:value(yurtici_kargo)",
        },
        {
            content: "Choose its delivery product",
            trigger: "div[name='product_id'] input",
            run: "edit Yurtiçi",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Yurtiçi Kargo shipping')",
            run: "click",
        },
        {
            content: "Save the carrier",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The carrier is saved under its name",
            trigger: ".o_last_breadcrumb_item:contains('Yurtiçi Kargo')",
        },
        {
            content: "Back to the event",
            trigger: ".breadcrumb .breadcrumb-item a:contains('Order 202531672482')",
            run: "click",
        },
        {
            content: "Reprocess the delivery",
            trigger: "button[name='action_reprocess']",
            run: "click",
        },
        {
            content: "We land on the new order",
            trigger: ".o_form_view div[name='tax_totals']:contains('725.26')",
        },
    ],
});
