/** @odoo-module **/
// Matters as people meet them (tests/test_matter_tours.py runs these in headless Chromium, in Turkish):
// what Omnitron decided is no longer asked, a rule clears the orders waiting for it, and the
// warehouse finds its return receipt among its own activities.

import { registry } from "@web/core/registry";

function assertNoOmnitronRequest() {
    const form = document.querySelector(".o_form_view");
    for (const alert of form.querySelectorAll(".alert-danger")) {
        if (alert.offsetParent !== null && alert.textContent.includes("Omnitron")) {
            throw new Error(`The order still shows Omnitron's word: ${alert.textContent.trim()}`);
        }
    }
    for (const words of ["iptalini istiyor", "İptal Omnitron'da istendi", "Omnitron'dan talep"]) {
        const planned = [...document.querySelectorAll(".o-mail-Activity")].map((el) => el.textContent);
        if (planned.some((text) => text.includes(words))) {
            throw new Error(`An activity still asks: "${words}"`);
        }
    }
}

// An order Omnitron cancelled after asking to: no request on screen, its activity done.
registry.category("web_tour.tours").add("omnitron_decided_order_tour", {
    steps: () => [
        {
            content: "The order's form is shown, cancelled",
            trigger: ".o_form_view .o_statusbar_status button[aria-checked='true']:contains('İptal Edildi')",
        },
        {
            content: "The request's activity was marked done, saying why",
            trigger: ".o-mail-Message:contains('Omnitron karar verdi: yapılacak bir şey kalmadı.')",
        },
        {
            content: "No banner, no open activity asks to cancel any more",
            trigger: ".o_form_view .o_form_sheet",
            run: assertNoOmnitronRequest,
        },
        {
            content: "Open the Omnitron tab",
            trigger: ".o_notebook .nav-link:contains('Omnitron')",
            run: "click",
        },
        {
            content: "Its titles are upper-cased the Turkish way: SİPARİŞ, not SIPARIŞ",
            // Matched by its text as written (textContent): what is shown (innerText) is upper-cased.
            trigger: ".o_form_view .o_horizontal_separator",
            run() {
                const title = [...document.querySelectorAll(".o_form_view .o_horizontal_separator")].find(
                    (el) => el.textContent.trim() === "Sipariş"
                );
                const shown = title && title.innerText;
                if (!title || getComputedStyle(title).textTransform !== "uppercase" || shown !== "SİPARİŞ") {
                    throw new Error(`The title reads "${shown}" (page language: ${document.documentElement.lang})`);
                }
            },
        },
    ],
});

// The administrator applies a new payment rule to the order waiting for one.
registry.category("web_tour.tours").add("omnitron_payment_rule_clears_tour", {
    steps: () => [
        {
            content: "The new rule says one order waits for it",
            trigger: ".o_data_row:has(button[name='action_apply_to_waiting_orders']) td[name='waiting_order_count']:contains('1')",
        },
        {
            content: "Apply it to the waiting orders",
            trigger: ".o_data_row button[name='action_apply_to_waiting_orders']",
            run: "click",
        },
        {
            content: "Odoo says the order follows the rule's workflow now",
            trigger: ".o_notification:contains('1 sipariş artık Omnitron'):contains('akışını izliyor.')",
        },
        {
            content: "No order waits any more: the offer is gone",
            trigger: ".o_list_view:not(:has(button[name='action_apply_to_waiting_orders']))",
        },
    ],
});

// The order that waited: no "No Payment Rule" any more, its workflow set.
registry.category("web_tour.tours").add("omnitron_order_no_longer_waits_tour", {
    steps: () => [
        {
            content: "The order's form is shown",
            trigger: ".o_form_view .o_form_sheet .oe_title",
        },
        {
            content: "Nothing says it waits for a payment rule",
            trigger: ".o_form_view .o_form_sheet",
            run() {
                // The order itself and its planned activities; the chatter's history keeps what was done.
                const places = [
                    document.querySelector(".o_form_view .o_form_sheet_bg"),
                    ...document.querySelectorAll(".o-mail-Activity"),
                ];
                for (const place of places) {
                    for (const words of ["Ödeme Kuralı Yok", "hiçbir ödeme kuralı"]) {
                        if (place.textContent.includes(words)) {
                            throw new Error(`The order still says "${words}": ${place.textContent.trim()}`);
                        }
                    }
                }
            },
        },
    ],
});

// The warehouse user finds the return to receive among their activities, receives it, and it is done.
registry.category("web_tour.tours").add("omnitron_warehouse_return_activity_tour", {
    steps: () => [
        {
            content: "Open my activities",
            trigger: ".o_menu_systray i[aria-label='Activities']",
            run: "click",
        },
        {
            content: "The transfers waiting for me",
            trigger: ".o-mail-ActivityGroup[data-model_name='stock.picking']",
            run: "click",
        },
        {
            content: "Open the return receipt",
            trigger: ".o_data_row td[name='name']",
            run: "click",
        },
        {
            content: "Its activity tells me to receive the return, in Turkish",
            trigger: ".o-mail-Activity:contains('iadesini teslim alın')",
        },
        {
            content: "Receive it",
            trigger: ".o_form_view .o_statusbar_buttons button[name='button_validate']",
            run: "click",
        },
        {
            content: "The receipt is done",
            trigger: ".o_form_view .o_statusbar_status button[aria-checked='true']:contains('Yapıldı')",
        },
        {
            content: "Its activity was marked done with why",
            trigger: ".o-mail-Message:contains('Tamamlandı: girişleri doğrulandı ve alacak dekontları onaylandı.')",
        },
        {
            content: "No activity is left on it",
            trigger: ".o-mail-Chatter:not(:has(.o-mail-Activity))",
        },
    ],
});
