"""Make a database's main company the merchant this addon is built for.

Omnitron's merchants are Turkish companies: country Türkiye, currency TRY,
Odoo's Turkish chart of accounts (l10n_tr). bin/run, bin/test and the
benchmark use this on a fresh database, in two steps around the install:

    python3 tools/turkish_company.py CONF DB prepare   # after -i base: country and currency
    python3 -m odoo -c CONF -d DB -i omnitron_order_webhook,l10n_tr ...
    python3 tools/turkish_company.py CONF DB check     # the chart is 'tr' (loads it if not)
    python3 tools/turkish_company.py CONF DB name NAME # bin/run: the demo merchant's name

With the country set before Accounting is installed, Odoo loads the Turkish
chart on its own; ``check`` proves it and fails loudly otherwise.
"""

import sys

import odoo
from odoo.tools import config


def main(conf, db, step, name=None):
    config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        if step == "prepare":
            turkey = env.ref("base.tr")
            try_ = env.ref("base.TRY")
            try_.active = True
            company.write({"country_id": turkey.id, "currency_id": try_.id, **({"name": name} if name else {})})
        elif step == "check":
            if company.chart_template != "tr":
                env["account.chart.template"].try_loading("tr", company, install_demo=False)
            company = company.with_env(env)
            problems = []
            if company.chart_template != "tr":
                problems.append(f"chart {company.chart_template!r}")
            if company.currency_id.name != "TRY":
                problems.append(f"currency {company.currency_id.name}")
            if company.account_fiscal_country_id.code != "TR":
                problems.append(f"fiscal country {company.account_fiscal_country_id.code}")
            if problems:
                sys.exit(f"The main company is not the Turkish merchant: {', '.join(problems)}")
            print(f"{company.name}: chart tr, TRY, fiscal country TR")
        elif step == "name":
            # Demo data of other modules rename the main company ("My Company
            # (San Francisco)" from stock's): give the demo merchant its own.
            company.name = name
        else:
            sys.exit(f"unknown step {step!r}: prepare, check or name")


if __name__ == "__main__":
    main(*sys.argv[1:])
