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

// Any transfer Omnitron does not hold: an unheld delivery, a receipt, a done transfer.
// tests/test_shipping_holds.py opens each by its URL; the screen must say nothing of a hold.
registry.category("web_tour.tours").add("omnitron_no_hold_banner_tour", {
    steps: () => [
        {
            content: "The transfer's form is shown, with its reference",
            trigger: ".o_form_view .o_form_statusbar .o_statusbar_status",
        },
        {
            content: "No banner, no word of a hold",
            trigger: ".o_form_view div[name='name'], .o_form_view .oe_title",
            run() {
                const banner = document.querySelector(".o_omnitron_hold_banner");
                if (banner) {
                    throw new Error(`A hold banner on a transfer Omnitron does not hold: ${banner.textContent}`);
                }
                const sheet = document.querySelector(".o_form_view").textContent;
                for (const words of ["Göndermeyin", "Do not ship", "stock.picking("]) {
                    if (sheet.includes(words)) {
                        throw new Error(`The transfer's screen says "${words}"`);
                    }
                }
            },
        },
    ],
});
