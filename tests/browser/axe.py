"""Run axe-core in the page under test and return what it finds.

tests/browser/vendor/axe.min.js is axe-core 4.14.1 from the npm registry
(`npm pack axe-core@4`, file package/axe.min.js, sha256 29348999...d4a9ed95c),
by Deque Systems, under the Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/);
the file keeps its licence header. It is committed so that no test downloads anything.

The site's Content-Security-Policy forbids inline scripts, so axe is not added as a
<script> tag: Playwright evaluates its source through the DevTools protocol, which the
page's policy does not govern.
"""

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
# What must never reach a user: serious and critical violations of WCAG 2.x A and AA.
BLOCKING_IMPACTS = {"serious", "critical"}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_violations(page) -> list[dict]:
    """The serious and critical violations on the page as it is now, one dict per rule."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE + "\n;undefined")
    results = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
            "summary": violation["nodes"][0].get("failureSummary", "") if violation["nodes"] else "",
        }
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
