/** @odoo-module **/
// A warehouse user meets a delivery Omnitron holds: tests/test_shipping_holds.py runs it in
// headless Chromium (in Turkish) and checks afterwards that nothing was shipped.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("omnitron_held_delivery_tour", {
    steps: () => [
        {
            content: "Open the search options of the transfers",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter the deliveries whose cancellation was requested in Omnitron",
            trigger: ".o_filter_menu .o_menu_item:contains('İptal istendi')",
            run: "click",
        },
        {
            content: "The list says why, in words",
            trigger: `.o_data_row td[name='omnitron_hold']:contains("Omnitron'da iptal istendi")`,
        },
        {
            content: "Open the held delivery",
            trigger: ".o_data_row td[name='name']",
            run: "click",
        },
        {
            content: "A red banner says not to ship it, and why",
            trigger: `.o_form_view .o_omnitron_hold_banner:contains("Göndermeyin."):contains("iptali Omnitron'da istendi")`,
        },
        {
            content: "Try to validate it all the same",
            trigger: ".o_form_view .o_statusbar_buttons button[name='button_validate']",
            run: "click",
        },
        {
            content: "Odoo refuses, saying who may ship it anyway",
            trigger: ".modal .modal-body:contains('Yalnızca bir Envanter yöneticisi')",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The delivery is still held, not done",
            trigger: ".o_form_view:not(:has(.modal)) .o_omnitron_hold_banner",
        },
    ],
});
