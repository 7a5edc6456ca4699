/** @odoo-module **/
// Browsers upper-case by the page's language (CSS text-transform, as form section titles are):
// Odoo's web client names no language, so Turkish titles read "SIPARIŞ" instead of "SİPARİŞ".
// The page says the user's language (BCP 47, e.g. tr-TR) when nothing else did.
import { user } from "@web/core/user";

if (user.lang && !document.documentElement.getAttribute("lang")) {
    document.documentElement.setAttribute("lang", user.lang);
}
