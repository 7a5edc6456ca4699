/** @odoo-module **/
// Tours of Sales › Settings › Omnitron, run in headless Chromium by
// tests/test_settings_tours.py: each step reads what the screen shows.

import { registry } from "@web/core/registry";

const openSalesSettings = {
    content: "Open the Sales settings",
    trigger: ".settings_tab .tab[data-key='sale_management']",
    run: "click",
};

registry.category("web_tour.tours").add("omnitron_settings_shown_tour", {
    url: "/odoo/settings",
    steps: () => [
        openSalesSettings,
        {
            content: "The order webhook's URL is shown",
            trigger: "div[name='omnitron_webhook_url'] span:contains('/api/v1/oms/orders_omnitron/')",
        },
        {
            content: "The cancellation-plan webhook's URL is shown",
            trigger: "div[name='omnitron_cancellation_plan_url'] span:contains('/api/v1/oms/cancellation_plan/')",
        },
        {
            content: "The channel that sent an order is listed by id and name",
            trigger: "div[name='omnitron_known_channels']:contains('20 Lacoste N11')",
        },
        {
            content: "A byte size is shown without thousands separators",
            trigger: "input[id^='omnitron_max_body_bytes']:value(5242880)",
        },
        {
            content: "An Omnitron id is shown without thousands separators",
            trigger: "input[id^='omnitron_min_order_omnitron_id']:value(1234567)",
        },
        {
            content: "Opening the settings did not warn that pricelists will be archived",
            trigger: "input[id^='omnitron_max_body_bytes']",
            run() {
                const dialogs = [...document.querySelectorAll(".modal")].map((modal) => modal.textContent);
                if (dialogs.some((text) => text.includes("pricelist"))) {
                    throw new Error(`The settings warned: ${dialogs.join(" | ")}`);
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("omnitron_account_test_connection_tour", {
    steps: () => [
        {
            content: "The account's form: no password field, only whether one is stored",
            trigger: ".o_form_view .o_omnitron_password_missing:visible",
            run() {
                if (document.querySelector(".o_form_view input[type='password']")) {
                    throw new Error("The account's form has a password input");
                }
            },
        },
        {
            content: "Test connection opens the dialog",
            trigger: "button[name='action_test_connection']",
            run: "click",
        },
        {
            content: "A wrong password first",
            trigger: ".modal div[name='api_password'] input",
            run: "edit not-the-password",
        },
        {
            content: "Test and Save",
            trigger: ".modal button[name='action_test_and_save']",
            run: "click",
        },
        {
            content: "Omnitron refused it, and nothing was saved",
            trigger: ".modal:contains('Nothing was saved'):contains('refused the login')",
        },
        {
            content: "Close the error",
            trigger: ".modal:contains('Nothing was saved') .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The right password, in the dialog still open",
            trigger: ".modal div[name='api_password'] input",
            run: "edit s3cret-Omnitron-pw",
        },
        {
            content: "Test and Save again",
            trigger: ".modal button[name='action_test_and_save']",
            run: "click",
        },
        {
            content: "Odoo logged in to Omnitron with the password just typed",
            trigger: ".o_notification:contains('Logged in to'):contains('as odoo-erp')",
        },
        {
            content: "The dialog closed; the form says a password is stored, and shows none",
            trigger: "body:not(:has(.modal)) .o_form_view .o_omnitron_password_stored:visible",
        },
    ],
});

// A Turkish administrator opens the account after a pull: its result reads in Turkish.
registry.category("web_tour.tours").add("omnitron_account_pull_result_tour", {
    steps: () => [
        {
            content: "The last pull's result, in Turkish, numbers grouped as Turkish writes them",
            trigger: ".o_form_view div[name='catch_up_result_shown']:contains('listelenen 1.200, içe aktarılan 1.198')",
            run() {
                const shown = document.querySelector(".o_form_view div[name='catch_up_result_shown']").textContent;
                for (const english of ["listed", "imported", "already there"]) {
                    if (shown.includes(english)) {
                        throw new Error(`The pull's result is in English: ${shown}`);
                    }
                }
            },
        },
    ],
});
