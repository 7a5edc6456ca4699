"""Build an addon of this repository as its wheel ``odoo-addon-<addon>``, the OCA way.

    pip wheel --no-deps . -w dist/    # or: pip install .      -> odoo-addon-omnitron_order_webhook
    OMNITRON_ADDON=omnitron_order_webhook_mrp pip wheel --no-deps . -w dist/
                                      # the kits bridge -> odoo-addon-omnitron_order_webhook_mrp

One addon, one wheel, as OCA publishes them: the kits bridge is a wheel of its own, built by the
same machinery from its own manifest (so it requires ``odoo-addon-omnitron_order_webhook``; mrp
is Odoo core). ``OMNITRON_ADDON`` names the addon to build; anything but one of the repository's
addons is refused naming it.

The metadata comes from the addon's ``__manifest__.py`` through manifestoo-core,
the library behind OCA's addon packaging (whool, setuptools-odoo's successor): the name
``odoo-addon-<addon>``, the manifest's version, ``Requires-Dist: odoo==18.0.*`` plus the
non-core addons of ``depends`` (sale_management and delivery are Odoo core: nothing) and the
``external_dependencies`` python packages, the summary, author, license, the Framework /
License / Development Status classifiers, and README.rst as the long description.
``[build-system]`` in pyproject.toml installs manifestoo-core for the build.

Why not setuptools-odoo: it knows Odoo series up to 16.0 only (3.3.2, its last release,
refuses "18.0"), and its ``prepare_odoo_addon()`` needs the ``setup/<addon>/odoo/addons/<addon>``
symlink tree. OCA builds 17.0+ addons with whool, which needs a pyproject.toml inside each addon
directory; here the addon sits at the repository's top level beside the project's tooling, so
this setup.py maps it into the ``odoo.addons`` namespace with ``package_dir`` instead.

The wheel installs it as ``odoo/addons/omnitron_order_webhook`` in site-packages, where Odoo
finds it without an addons_path entry.
"""

import atexit
import os
import pathlib
import shutil
import tempfile

from manifestoo_core.metadata import POST_VERSION_STRATEGY_NONE, metadata_from_addon_dir
from setuptools import find_packages, setup

# The repository's addons; the first is built unless OMNITRON_ADDON names another.
ADDONS = ("omnitron_order_webhook", "omnitron_order_webhook_mrp")
ADDON = os.environ.get("OMNITRON_ADDON") or ADDONS[0]
if ADDON not in ADDONS:
    raise SystemExit(f"OMNITRON_ADDON must name one of this repository's addons ({', '.join(ADDONS)}), not {ADDON!r}")
HERE = pathlib.Path(__file__).resolve().parent
ADDON_DIR = HERE / ADDON
PACKAGE = f"odoo.addons.{ADDON}"

metadata = metadata_from_addon_dir(
    ADDON_DIR,
    {
        # The manifest names the module to import (sentry_sdk); manifestoo-core passes names it
        # does not know through unchanged, so name the distribution, at the version the code needs.
        "external_dependencies_override": {
            "python": {"sentry_sdk": "sentry-sdk>=2.0,<4", "requests": "requests>=2.25,<3"}
        },
        # The manifest's version as is. (OCA's published wheels append ".N", the number of git
        # commits since the version last changed; remove this line to do the same.)
        "post_version_strategy_override": POST_VERSION_STRATEGY_NONE,
    },
)

# The Python packages of the addon (directories with an __init__.py), as odoo.addons.<addon>.*;
# package_dir maps the top one, setuptools finds the subpackages beneath it.
packages = [PACKAGE] + [f"{PACKAGE}.{sub}" for sub in find_packages(where=str(ADDON_DIR))]

# Every other file of the addon, wherever it sits: XML, CSV, po/pot, JS, JSON test data, static/,
# README.rst, readme/. Paths are relative to the addon, so data-only folders need no __init__.py.
data_files = sorted(
    str(path.relative_to(ADDON_DIR))
    for path in ADDON_DIR.rglob("*")
    if path.is_file() and path.suffix not in (".py", ".pyc", ".pyo") and "__pycache__" not in path.parts
)

# Build (and write the egg-info) in a fresh directory, removed afterwards: setuptools would
# otherwise reuse ./build/lib, and a file deleted from the addon would still be in the next wheel.
build_base = tempfile.mkdtemp(prefix=f"{ADDON}-build-")
atexit.register(shutil.rmtree, build_base, ignore_errors=True)

setup(
    name=metadata["Name"],
    version=metadata["Version"],
    description=metadata["Summary"],
    long_description=metadata.get_payload(),
    long_description_content_type=metadata["Description-Content-Type"],
    author=metadata["Author"],
    license=metadata["License"],
    url=metadata["Home-page"],  # None: the manifest has no website
    python_requires=metadata["Requires-Python"],
    install_requires=metadata.get_all("Requires-Dist"),
    classifiers=metadata.get_all("Classifier"),
    package_dir={PACKAGE: ADDON},
    packages=packages,
    package_data={PACKAGE: data_files},
    zip_safe=False,
    options={"build": {"build_base": build_base}, "egg_info": {"egg_base": build_base}},
)
