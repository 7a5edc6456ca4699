#!/usr/bin/env python3
"""Generate the addon's README.rst and static/description/index.html from readme/*.rst.

    python3 tools/gen_readme.py            # rewrite both files
    python3 tools/gen_readme.py --check    # exit 1 when they are not what the fragments give

The files are only ever written by this command. It follows OCA's ``oca-gen-addon-readme``
(maintainer-tools; not on PyPI, so it cannot be installed here): the same fragment names and
order, section titles, badges, "source digest" comment and docutils settings, so the addon can
move to OCA's generator unchanged. Differences: the fragments must be reStructuredText (OCA
converts Markdown ones with pandoc, which is not available), there is no OCA banner, bug tracker
or GitHub link (the addon has no public repository), and the maintainers are listed as names.

Needs only docutils (installed with Odoo's requirements).
"""

import argparse
import ast
import hashlib
import re
import sys
from pathlib import Path

from docutils.core import publish_string
from docutils.utils import SystemMessage

ROOT = Path(__file__).resolve().parent.parent
ADDON_DIR = ROOT / "omnitron_order_webhook"
FRAGMENTS_DIR = "readme"

# (fragment, section title), in OCA's order. DESCRIPTION comes first, without a title;
# CONTRIBUTORS and CREDITS are subsections of "Credits".
SECTIONS = (
    ("CONTEXT", "Use Cases / Context"),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("DEVELOP", "Development"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
)
CREDITS = (("CONTRIBUTORS", "Contributors"), ("CREDITS", "Other credits"))
KNOWN = {"DESCRIPTION"} | {name for name, _title in SECTIONS + CREDITS}
LEVEL3 = "~"  # OCA's subsection underline for .rst fragments

LICENSE_BADGES = {
    "AGPL-3": (
        "https://img.shields.io/badge/license-AGPL--3-blue.png",
        "http://www.gnu.org/licenses/agpl-3.0-standalone.html",
    ),
    "LGPL-3": (
        "https://img.shields.io/badge/license-LGPL--3-blue.png",
        "http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
    ),
    "GPL-3": (
        "https://img.shields.io/badge/license-GPL--3-blue.png",
        "http://www.gnu.org/licenses/gpl-3.0-standalone.html",
    ),
}
STATUS_BADGES = {
    "alpha": "https://img.shields.io/badge/maturity-Alpha-red.png",
    "beta": "https://img.shields.io/badge/maturity-Beta-yellow.png",
    "production/stable": "https://img.shields.io/badge/maturity-Production%2FStable-green.png",
    "mature": "https://img.shields.io/badge/maturity-Mature-brightgreen.png",
}
STATUS_URL = "https://odoo-community.org/page/development-status"

# OCA's settings (from pypa/readme_renderer): no file inclusion, no raw HTML, stop on warnings.
RST2HTML_SETTINGS = {
    "file_insertion_enabled": False,
    "halt_level": 2,
    "math_output": "MathJax",
    "raw_enabled": False,
    "smart_quotes": True,
    "syntax_highlight": "short",
    "xml_declaration": False,  # Odoo warns about an XML declaration in index.html
    "output_encoding": "utf-8",
}


def source_digest(addon_dir):
    """sha256 over the manifest and the fragments (names and contents), as OCA's generator."""
    digest = hashlib.sha256()
    paths = [addon_dir / "__manifest__.py"]
    paths += sorted(p for p in (addon_dir / FRAGMENTS_DIR).rglob("*") if p.is_file() and not p.name.startswith("."))
    for path in paths:
        digest.update(str(path.relative_to(addon_dir)).encode("utf-8"))
        digest.update(path.read_bytes())
    return f"sha256:{digest.hexdigest()}"


def read_fragments(addon_dir):
    folder = addon_dir / FRAGMENTS_DIR
    markdown = sorted(p.name for p in folder.glob("*.md"))
    if markdown:
        sys.exit(f"{folder}: write the fragments in reStructuredText, not Markdown ({', '.join(markdown)})")
    fragments = {}
    for path in sorted(folder.glob("*.rst")):
        if path.stem not in KNOWN:
            sys.exit(f"{path}: unknown fragment; known: {', '.join(sorted(KNOWN))}")
        text = path.read_text(encoding="utf-8").strip("\n")
        if text:
            fragments[path.stem] = text + "\n"
    if "DESCRIPTION" not in fragments:
        sys.exit(f"{folder}/DESCRIPTION.rst is missing or empty")
    return fragments


def title(text, underline, overline=False):
    rule = underline * len(text)
    return f"{rule}\n{text}\n{rule}\n" if overline else f"{text}\n{rule}\n"


def render_readme(manifest, fragments, digest):
    status = manifest.get("development_status", "Beta").lower()
    badges = []
    if status in STATUS_BADGES:
        badges.append((STATUS_BADGES[status], STATUS_URL, manifest.get("development_status", "Beta")))
    if manifest.get("license") in LICENSE_BADGES:
        image, target = LICENSE_BADGES[manifest["license"]]
        badges.append((image, target, f"License: {manifest['license']}"))

    out = [title(manifest["name"], "=", overline=True)]
    out.append(
        "..\n"
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        "   !! This file is generated by tools/gen_readme.py from  !!\n"
        "   !! readme/*.rst: changes will be overwritten.          !!\n"
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        f"   !! source digest: {digest}\n"
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
    )
    if badges:
        out.append(
            "".join(
                f".. |badge{i}| image:: {image}\n    :target: {target}\n    :alt: {alt}\n"
                for i, (image, target, alt) in enumerate(badges, 1)
            )
        )
        out.append(" ".join(f"|badge{i}|" for i in range(1, len(badges) + 1)) + "\n")
    out.append(fragments["DESCRIPTION"])
    if status == "alpha":
        out.append(
            ".. IMPORTANT::\n"
            "   This is an alpha version, the data model and design can change at any time without warning.\n"
            "   Only for development or testing purpose, do not use in production.\n"
            f"   `More details on development status <{STATUS_URL}>`_\n"
        )
    out.append("**Table of contents**\n\n.. contents::\n   :local:\n")
    out += [f"{title(heading, '=')}\n{fragments[name]}" for name, heading in SECTIONS if name in fragments]

    credits = [title("Credits", "=")]
    authors = [a.strip() for a in manifest.get("author", "").split(",") if a.strip()]
    if authors:
        credits.append(title("Authors", LEVEL3) + "\n" + "".join(f"* {author}\n" for author in authors))
    credits += [f"{title(heading, LEVEL3)}\n{fragments[name]}" for name, heading in CREDITS if name in fragments]
    maintainers = manifest.get("maintainers") or []
    maintainers_text = title("Maintainers", LEVEL3) + "\n"
    if maintainers:
        plural = "s" if len(maintainers) > 1 else ""
        maintainers_text += f"Current maintainer{plural}:\n\n" + "".join(f"* {m}\n" for m in maintainers) + "\n"
    maintainers_text += "You are welcome to contribute.\n"
    credits.append(maintainers_text)
    out.append("\n".join(credits))
    return "\n".join(out)


def render_html(readme_text, source_path):
    html = publish_string(
        source=readme_text,
        source_path=str(source_path),
        writer_name="html4css1",
        settings_overrides=RST2HTML_SETTINGS,
    )
    # Drop docutils' version from the generator tag: a docutils upgrade alone changes nothing.
    return re.sub(rb"(<meta.*generator.*Docutils)\s*[\d.]+", rb"\1", html)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--addon-dir", type=Path, default=ADDON_DIR, help="the addon (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is out of date")
    args = parser.parse_args(argv)
    addon_dir = args.addon_dir.resolve()

    manifest = ast.literal_eval((addon_dir / "__manifest__.py").read_text(encoding="utf-8"))
    readme_path = addon_dir / "README.rst"
    index_path = addon_dir / "static" / "description" / "index.html"
    readme = render_readme(manifest, read_fragments(addon_dir), source_digest(addon_dir)).encode("utf-8")
    try:
        index = render_html(readme.decode("utf-8"), readme_path)
    except SystemMessage as error:  # any docutils warning: nothing is written
        sys.exit(f"{error}\n(line numbers are those of the generated README.rst; fix the fragment in readme/)")

    stale = [
        path
        for path, data in ((readme_path, readme), (index_path, index))
        if not path.is_file() or path.read_bytes() != data
    ]
    if args.check:
        for path in stale:
            print(f"out of date: {path} (run: python3 tools/gen_readme.py)", file=sys.stderr)
        return 1 if stale else 0
    for path, data in ((readme_path, readme), (index_path, index)):
        if path in stale:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
