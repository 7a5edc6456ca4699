"""Package the addon as ``odoo-addon-omnitron_order_webhook`` (``odoo.addons.*``).

``pip install .`` puts it where Odoo finds it without an addons_path entry.
"""

import ast
import pathlib

from setuptools import setup

ADDON = "omnitron_order_webhook"
HERE = pathlib.Path(__file__).resolve().parent
manifest = ast.literal_eval((HERE / ADDON / "__manifest__.py").read_text(encoding="utf-8"))
subpackages = sorted(
    str(path.parent.relative_to(HERE)).replace("/", ".") for path in (HERE / ADDON).rglob("__init__.py")
)

setup(
    name=f"odoo-addon-{ADDON}",
    version=manifest["version"],
    description=manifest["summary"],
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license=manifest["license"],
    python_requires=">=3.10",
    install_requires=["odoo>=18.0a,<18.1dev"],
    package_dir={f"odoo.addons.{package}": package.replace(".", "/") for package in subpackages},
    packages=[f"odoo.addons.{package}" for package in subpackages],
    # Every data file of the addon (views, security, i18n, tours, test data).
    package_data={
        f"odoo.addons.{ADDON}": sorted(
            str(path.relative_to(HERE / ADDON))
            for path in (HERE / ADDON).rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc")
        )
    },
    include_package_data=True,
    classifiers=["Framework :: Odoo", "Framework :: Odoo :: 18.0", "Programming Language :: Python :: 3"],
)
