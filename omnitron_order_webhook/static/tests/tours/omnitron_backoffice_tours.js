/** @odoo-module **/
// Tours of issue 19's "daily work" in the back office, run by tests/test_backoffice_tours.py,
// which prepares the data and checks the database afterwards. Each step reads what is on screen.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("omnitron_dashboard_counts_tour", {
    steps: () => [
        {
            content: "Today counts the one confirmed order, not the cancelled one",
            trigger: ".o_kanban_record:contains('Lacoste N11') .o_omnitron_today:contains('1 imported today')",
        },
        {
            content: "The 7 days count the same order",
            trigger: ".o_kanban_record:contains('Lacoste N11') .o_omnitron_week:contains('1 in the last 7 days')",
        },
        {
            content: "The cancelled order is shown apart",
            trigger: ".o_kanban_record:contains('Lacoste N11') .o_omnitron_cancelled:contains('1 cancelled in the last 7 days')",
        },
        {
            content: "The quotation waiting in Omnitron is shown apart too",
            trigger: ".o_kanban_record:contains('Lacoste N11') .o_omnitron_waiting:contains('1 waiting in Omnitron')",
        },
        {
            content: "The card warns the admin that the channel has no salesperson",
            trigger: ".o_kanban_record:contains('Lacoste N11') .o_omnitron_no_salesperson button[name='action_open_channel']",
            run: "click",
        },
        {
            content: "The channel's form says so too, above the field to set",
            trigger: ".o_form_view .o_omnitron_no_salesperson:contains('no salesperson')",
        },
        {
            content: "Choose a salesperson",
            trigger: ".o_form_view div[name='user_id'] input",
            run: "edit Ayşe",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Ayşe Yönetici')",
            run: "click",
        },
        {
            content: "The warning is gone once a salesperson is chosen",
            trigger: ".o_form_view:not(:has(.o_omnitron_no_salesperson))",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved",
        },
    ],
});

registry.category("web_tour.tours").add("omnitron_fix_the_others_tour", {
    steps: () => [
        {
            content: "The list's why column reads the sentence, naming the codes",
            trigger: ".o_data_row td[name='explanation_line']:contains('yurtici_kargo')",
        },
        {
            content: "The cause column names the cargo company's codes",
            trigger: ".o_data_row td[name='cause']:contains('yurtici / yurtici_kargo')",
        },
        {
            content: "Open the first order's delivery",
            trigger: ".o_data_row td[name='order_number']:contains('FIX-1')",
            run: "click",
        },
        {
            content: "Set up the missing carrier",
            trigger: "button[name='action_open_carriers']",
            run: "click",
        },
        {
            content: "The dialog's delivery product is already filled in",
            trigger: ".modal div[name='product_id'] input:not(:value(''))",
        },
        {
            content: "Save and reprocess",
            trigger: ".modal button[name='action_omnitron_save_and_reprocess']",
            run: "click",
        },
        {
            content: "The dialog offers the two other deliveries waiting for this carrier",
            trigger: ".modal .o_omnitron_others:contains('2 other deliveries are waiting for this carrier.')",
        },
        {
            content: "Reprocess them",
            trigger: ".modal button[name='action_reprocess']",
            run: "click",
        },
        {
            content: "The reprocessed deliveries are listed, imported",
            trigger: ".o_list_view:not(:has(.modal)) .o_data_row:nth-child(2) td[name='state']:contains('Done')",
        },
    ],
});

registry.category("web_tour.tours").add("omnitron_staff_notify_tour", {
    steps: () => [
        {
            content: "Staff are told who can fix it, by name",
            trigger: ".o_omnitron_who_fixes:contains('Ayşe Yönetici')",
        },
        {
            content: "...and are not shown the administrators' fix buttons",
            trigger: ".o_form_view:not(:has(button[name='action_open_carriers'])):not(:has(button[name='action_reprocess']))",
        },
        {
            content: "Notify an administrator",
            trigger: "button[name='action_notify_administrator']",
            run: "click",
        },
        {
            content: "The notification says who was asked",
            trigger: ".o_notification:contains('Ayşe Yönetici was asked to fix it.')",
        },
    ],
});

registry.category("web_tour.tours").add("omnitron_event_list_reads_tour", {
    steps: () => [
        {
            content: "The list of calls needing attention shows the order",
            trigger: ".o_data_row td[name='order_number']:contains('202531672482')",
        },
        {
            content: "Its headers and its reason are not cut",
            trigger: ".o_data_row td[name='reason']",
            run() {
                const cut = [];
                for (const label of document.querySelectorAll(".o_list_view thead th .text-truncate")) {
                    if (label.scrollWidth > label.clientWidth + 1) {
                        cut.push(`header "${label.textContent.trim()}"`);
                    }
                }
                for (const cell of document.querySelectorAll(".o_data_row td[name='reason']")) {
                    if (cell.scrollWidth > cell.clientWidth + 1) {
                        cut.push(`reason "${cell.textContent.trim()}"`);
                    }
                }
                if (cut.length) {
                    throw new Error(`Cut in the event list: ${cut.join(", ")}`);
                }
            },
        },
        {
            content: "The why column reads the sentence in the reader's language, not Omnitron's English answer",
            trigger: ".o_data_row td[name='explanation_line']:contains('yurtici_kargo'):not(:contains('No carrier'))",
        },
        {
            content: "Each call is one line of the list: its why does not wrap the row",
            trigger: ".o_data_row td[name='explanation_line']",
            run() {
                const line = parseFloat(getComputedStyle(document.querySelector(".o_data_row td[name='order_number']")).lineHeight) || 20;
                for (const row of document.querySelectorAll(".o_data_row")) {
                    const height = row.getBoundingClientRect().height;
                    if (height > 2.5 * line) {
                        throw new Error(`A row of the event list is ${height} px high (a line is ${line} px)`);
                    }
                }
            },
        },
    ],
});
