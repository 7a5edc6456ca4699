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
            content: "The line's Omnitron item id reads as an id, without a thousands separator",
            trigger: "div[name='order_line'] td[name='omnitron_item_pk']:contains('48161')",
        },
        {
            content: "...under headers that are not cut",
            trigger: "div[name='order_line'] th[data-name='omnitron_item_pk']",
            run() {
                for (const name of ["omnitron_item_pk", "omnitron_status_label"]) {
                    const label = document.querySelector(
                        `div[name='order_line'] th[data-name='${name}'] .text-truncate`
                    );
                    if (label && label.scrollWidth > label.clientWidth) {
                        throw new Error(`The header of ${name} is cut: "${label.textContent}"`);
                    }
                }
            },
        },
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
            content: "So does the order's Omnitron id",
            trigger: "div[name='omnitron_pk']:contains('31999')",
        },
        {
            content: "The channel is shown",
            trigger: "div[name='omnitron_channel_id']:contains('Lacoste N11')",
        },
        {
            content: "The status reads as words, not a code",
            trigger: "div[name='omnitron_status_label']:contains('Approved')",
        },
        {
            content: "The tracking number is shown",
            trigger: "div[name='omnitron_tracking_number']:contains('202531672482')",
        },
        {
            content: "The delivery type is shown in words",
            trigger: "div[name='omnitron_delivery_type_label']:contains('Same day')",
        },
    ],
});

registry.category("web_tour.tours").add("omnitron_reprocess_tour", {
    steps: () => [
        {
            content: "The dashboard's card of the channel says one delivery needs attention",
            trigger: ".o_kanban_record:contains('Lacoste N11') button.o_omnitron_attention:contains('1')",
            run: "click",
        },
        {
            content: "The list opens on what needs attention: the order without a carrier",
            trigger: ".o_data_row td[name='order_number']:contains('202531672482')",
            run: "click",
        },
        {
            content: "The event says why, with the cargo company's codes",
            trigger: ".alert-warning div[name='explanation']:contains('yurtici_kargo')",
        },
        {
            content: "The activity of the delivery is in the chatter",
            trigger: ".o-mail-Activity:contains('No carrier for the cargo company')",
        },
        {
            content: "Set up the missing carrier from the event",
            trigger: "button[name='action_open_carriers']",
            run: "click",
        },
        {
            content: "Its Omnitron codes are prefilled from the order",
            trigger: ".modal div[name='omnitron_erp_code'] input:value(yurtici_kargo)",
        },
        {
            content: "Choose its delivery product",
            trigger: ".modal div[name='product_id'] input",
            run: "edit Yurtiçi",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Yurtiçi Kargo shipping')",
            run: "click",
        },
        {
            content: "Save and reprocess in one click",
            trigger: ".modal button[name='action_omnitron_save_and_reprocess']",
            run: "click",
        },
        {
            content: "We land on the new order",
            trigger: ".o_form_view div[name='tax_totals']:contains('725.26')",
        },
    ],
});

registry.category("web_tour.tours").add("omnitron_sender_tour", {
    steps: () => [
        {
            content: "Create the user Omnitron posts as",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Its name",
            trigger: ".o_form_view div[name='name'] textarea, .o_form_view div[name='name'] input",
            run: "edit Omnitron Trendyol",
        },
        {
            content: "Its login",
            trigger: ".o_form_view div[name='login'] input",
            run: "edit omnitron-trendyol",
        },
        {
            content: "Save the sender",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, it shows its access: the sender group and nothing else",
            trigger: ".o_form_saved div[name='groups_id'] .o_tag:contains('Omnitron Order Sender')",
            run() {
                const tags = [...document.querySelectorAll(".o_form_view div[name='groups_id'] .o_tag")].map(
                    (tag) => tag.textContent.trim()
                );
                if (tags.length !== 1) {
                    throw new Error(`A sender must have the sender group only, the form shows: ${tags.join(", ")}`);
                }
            },
        },
        {
            content: "...as a machine identity",
            trigger: ".o_form_view div[name='share'] input:checked",
        },
        {
            content: "...with no invitation to send and no access rights to set",
            trigger: ".o_form_view:not(:has(button[name='action_reset_password'])):not(:has(.o_notebook))",
        },
        {
            content: "Generate its token",
            trigger: "button[name='action_omnitron_generate_token']",
            run: "click",
        },
        {
            content: "The dialog shows the token once",
            trigger: ".modal .o_omnitron_token span:not(:empty)",
        },
        {
            content: "...and the webhook URL to give Omnitron, with a copy button",
            trigger: ".modal div[name='webhook_url']:contains('/api/v1/oms/orders_omnitron/') .o_clipboard_button",
        },
        {
            content: "Done",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The token is listed on the sender, by its prefix",
            trigger: "div[name='omnitron_token_ids'] .o_data_row",
        },
    ],
});

registry.category("web_tour.tours").add("omnitron_turkish_why_tour", {
    steps: () => [
        {
            content: "On the Turkish dashboard, the channel's card says one call needs attention",
            trigger: ".o_kanban_record:contains('Lacoste N11') button.o_omnitron_attention:contains('işlem bekliyor')",
            run: "click",
        },
        {
            content: "Open the call that needs attention",
            trigger: ".o_data_row td[name='order_number']:contains('202531672482')",
            run: "click",
        },
        {
            content: "The reason is a Turkish label",
            trigger: "div[name='reason']:contains('Kargo firması için taşıyıcı yok')",
        },
        {
            content: "The why is a Turkish sentence naming the codes",
            trigger: ".alert-warning div[name='explanation']:contains('yurtici_kargo'):contains('Taşıyıcıyı kur')",
        },
    ],
});
