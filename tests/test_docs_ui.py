"""The docs UIs (`docs_ui`): vendored assets as pinned, rendered byte for byte, and each UI working in real Chromium.

Chromium is Debian's (`.ci/apt-packages`), driven by Playwright's Python package; Playwright never downloads a
browser here. Each UI's page is loaded from a rendered service running as a real process on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import pytest

from .conftest import REPO_ROOT, ProjectFactory, framework_params, variant_group
from .contract.conftest import variant_service
from .contract.service import Service
from .variants import first_to_run, frameworks_in_turn

UIS = ["scalar", "swagger", "redoc"]
FRAMEWORKS = ["fastapi", "django"]
# The docs UIs are shared by both frameworks: they live in the package folder every variant renders.
SHARED_PACKAGE_DIR = "{{package_name}}"
TEMPLATE_PACKAGE = REPO_ROOT / "template" / "src" / SHARED_PACKAGE_DIR
# Rendered next to the chosen UI's folder, into the same `docs_ui` package: how the files are read and sent.
TEMPLATE_SHARED_DOCS_FOLDER = TEMPLATE_PACKAGE / "{% if docs_ui != 'none' %}docs_ui{% endif %}"
REFRESH_SCRIPT = REPO_ROOT / "scripts" / "refresh-docs-assets"
CHROMIUM = os.environ.get("DOCS_UI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The pins the issue asks for (package, version prefix, license).
EXPECTED_PINS = {
    "scalar": ("@scalar/api-reference", "1.72.", "MIT"),
    "swagger": ("swagger-ui-dist", "5.", "Apache-2.0"),
    "redoc": ("redoc", "2.5.", "MIT"),
}
# Recorded in the page before any of its scripts runs: CSP violations as the browser reports them.
VIOLATION_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI} at ${where}`);
});
"""


def template_ui_folder(ui: str) -> Path:
    if ui == "redoc":  # also the second page (`redoc_page`) beside another UI: it renders to `redoc_page` there
        return TEMPLATE_PACKAGE / (
            "{% if docs_ui == 'redoc' %}docs_ui{% elif redoc_page and docs_ui in ['scalar', 'swagger'] %}redoc_page"
            "{% endif %}"
        )
    return TEMPLATE_PACKAGE / f"{{% if docs_ui == '{ui}' %}}docs_ui{{% endif %}}"


def rendered_name(template_path: Path, answers: dict[str, Any] | None = None) -> Path | None:
    """The path a template file renders to with `answers` (its conditional names evaluated, `.jinja` dropped), or
    None where a name renders empty: that file is not rendered for these answers."""
    parts = []
    for part in template_path.parts:
        name = jinja2.Template(part).render(**(answers or {})) if "{%" in part else part
        if not name:
            return None
        parts.append(name)
    return Path(*parts).with_name(parts[-1].removesuffix(".jinja"))


def template_manifest(ui: str) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((template_ui_folder(ui) / "vendor" / "manifest.json").read_text())
    return manifest


# --- the vendored assets ---------------------------------------------------------------------------------------


def test_vendored_assets_match_their_manifests() -> None:
    result = subprocess.run(
        [sys.executable, str(REFRESH_SCRIPT), "--check"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("ui", UIS)
def test_pins_and_licenses(ui: str) -> None:
    manifest = template_manifest(ui)
    package, version_prefix, license_name = EXPECTED_PINS[ui]
    assert manifest["package"] == package
    assert manifest["version"].startswith(version_prefix)
    assert manifest["license"] == license_name
    assert manifest["integrity"].startswith("sha512-")
    assert manifest["tarball"].startswith("https://registry.npmjs.org/")
    license_text = (template_ui_folder(ui) / "vendor" / "LICENSE").read_text()
    assert ("Apache License" if license_name == "Apache-2.0" else "MIT License") in license_text
    for name, entry in manifest["files"].items():
        content = (template_ui_folder(ui) / "vendor" / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], name


@pytest.mark.parametrize("ui", UIS)
def test_template_docs_list_the_pinned_versions(ui: str) -> None:
    manifest = template_manifest(ui)
    row = next(
        line for line in (REPO_ROOT / "docs" / "options.md").read_text().splitlines() if line.startswith(f"| `{ui}` |")
    )
    assert f"`{manifest['package']}` | {manifest['version']} |" in row
    for name, entry in manifest["files"].items():
        if name.endswith((".js", ".css")):
            assert f"`{name}` {entry['size']:,}" in row, name


@pytest.mark.parametrize("ui", UIS)
def test_page_asks_for_the_pinned_versions(ui: str) -> None:
    (page_path,) = template_ui_folder(ui).glob("index.html*")
    # ReDoc's page is a template: the same page is served at /docs, or at /redoc beside another UI.
    assets = "{{ page }}/assets" if ui == "redoc" else "docs/assets"
    page = page_path.read_text()
    manifest = template_manifest(ui)
    served = [name for name in manifest["files"] if name.endswith((".js", ".css"))]
    assert served
    for name in served:
        assert f'"{assets}/{name}?v={manifest["version"]}"' in page, name
    assert f'src="{assets}/docs-init.js"' in page


@pytest.mark.parametrize(
    ("ui", "framework"),
    [
        pytest.param(
            ui,
            framework,
            id=f"{ui}-{framework}",
            # The pages and assets are the same files in both frameworks: the fast subset renders FastAPI's.
            marks=[
                variant_group({"framework": framework, "docs_ui": ui}),
                *([pytest.mark.slow] * (framework != "fastapi")),
            ],
        )
        for framework in FRAMEWORKS
        for ui in [*UIS, "none"]
    ],
)
def test_only_the_chosen_ui_is_rendered_byte_for_byte(projects: ProjectFactory, ui: str, framework: str) -> None:
    project = projects.render(**{"framework": framework, "docs_ui": ui})
    package = project.path / "src" / project.package
    rendered_js = {path.name for path in project.path.rglob("*.js") if ".venv" not in path.parts}
    if ui == "none":
        assert not (package / "docs_ui").exists()
        assert not (package / "integrations" / "docs_ui.py").exists()
        assert not (package / "api" / "docs.py").exists()
        assert not rendered_js
        return
    assert (package / "integrations" / "docs_ui.py").is_file()
    assert_rendered_byte_for_byte(
        package / "docs_ui", template_ui_folder(ui), TEMPLATE_SHARED_DOCS_FOLDER, answers=project.answers
    )
    assert not (package / "redoc_page").exists()
    other_bundles = {
        name for other in UIS if other != ui for name in template_manifest(other)["files"] if name.endswith(".js")
    }
    assert not rendered_js & other_bundles
    readme = (project.path / "README.md").read_text()
    manifest = template_manifest(ui)
    assert f"`{manifest['package']}` {manifest['version']}" in readme
    assert manifest["license"] in readme
    for name, entry in manifest["files"].items():
        if name.endswith((".js", ".css")):
            assert f"`{name}` | {entry['size']:,}" in readme, name


def assert_rendered_byte_for_byte(
    rendered_folder: Path, *template_folders: Path, answers: dict[str, Any] | None = None
) -> None:
    """The rendered folder holds exactly the templates' files that render for `answers` (a file named by a condition
    renders where it holds); those that are not templates (`.jinja`) byte for byte."""
    sources = {
        name: path
        for folder in template_folders
        for path in folder.rglob("*")
        if path.is_file() and (name := rendered_name(path.relative_to(folder), answers)) is not None
    }
    expected = sorted(sources)
    rendered = sorted(path.relative_to(rendered_folder) for path in rendered_folder.rglob("*") if path.is_file())
    assert rendered == expected
    for relative in expected:
        if sources[relative].suffix != ".jinja":
            assert (rendered_folder / relative).read_bytes() == sources[relative].read_bytes(), relative


@pytest.mark.parametrize("framework", framework_params(docs_ui="swagger", redoc_page=True))
def test_redoc_page_is_rendered_beside_the_chosen_ui(projects: ProjectFactory, framework: str) -> None:
    project = projects.render(framework=framework, docs_ui="swagger", redoc_page=True)
    package = project.path / "src" / project.package
    assert_rendered_byte_for_byte(package / "redoc_page", template_ui_folder("redoc"), answers=project.answers)
    assert (package / "redoc_page" / "vendor" / "redoc.standalone.js").is_file()
    assert not (package / "docs_ui" / "vendor" / "redoc.standalone.js").exists()
    assert '<script src="redoc/assets/redoc.standalone.js?v=' in (package / "redoc_page" / "index.html").read_text()
    readme = (project.path / "README.md").read_text()
    assert "| `GET /redoc` |" in readme
    assert f"`redoc.standalone.js` | {template_manifest('redoc')['files']['redoc.standalone.js']['size']:,}" in readme
    # Without a UI at /docs there is no second page, whatever the answer says.
    bare = projects.render(framework=framework, docs_ui="none", redoc_page=True)
    assert not (bare.path / "src" / bare.package / "redoc_page").exists()


# --- each UI in headless Chromium -------------------------------------------------------------------------------


@dataclass
class PageRecord:
    requests: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_statuses: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/apt-packages installs chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


# Each UI alone at /docs, then ReDoc at /redoc beside one (`redoc_page`; the page at /docs is checked there too). Each
# UI with one framework per commit, in turn (`frameworks_in_turn`: every run loads pages of both, each UI with the
# other framework on the next slot; ALL_VARIANTS=1 loads all): a page's service is an installed variant, tens of
# seconds each when the run installs it for this test alone.
REDOC_BESIDE = [("fastapi", "scalar", True), ("django", "swagger", True)]
DOCS_VARIANTS = [(framework, ui, False) for index, ui in enumerate(UIS) for framework in frameworks_in_turn(index)] + [
    param for param in REDOC_BESIDE if param[0] in frameworks_in_turn(len(UIS))
]


def docs_answers(framework: str, ui: str, redoc_page: bool) -> dict[str, Any]:
    """The variant whose page is loaded: a UI alone is served by a pairwise variant with that framework and UI (one
    this run installs for its deep checks if there is one, in whose xdist group this test then runs, instead of a
    variant installed for this test alone); `redoc_page` is not pairwise, so that variant is the one-off."""
    one_off = {"framework": framework, "docs_ui": ui, **({"redoc_page": True} if redoc_page else {})}
    if redoc_page:
        return one_off
    found = first_to_run(lambda answers: all(answers[key] == value for key, value in one_off.items()))
    return one_off if found is None else found


@pytest.fixture(
    params=[
        pytest.param(
            param,
            id=f"{param[0]}-{param[1]}" + ("+redoc" if param[2] else ""),
            marks=variant_group(docs_answers(*param)),
        )
        for param in DOCS_VARIANTS
    ]
)
def docs_service(
    request: pytest.FixtureRequest, projects: ProjectFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    # With what the variant's service needs (its database; with use_redis, a redis-server of its own).
    with variant_service(
        projects.installed(**docs_answers(*request.param)), tmp_path_factory, LOG_LEVEL="WARNING"
    ) as service:
        yield service


@pytest.mark.slow
def test_docs_page_renders_the_api_in_chromium(browser: Any, docs_service: Service) -> None:
    pages = {"/docs": docs_service.project.answers["docs_ui"]}
    if docs_service.project.answers.get("redoc_page"):
        pages["/redoc"] = "redoc"
    for path, ui in pages.items():
        check_page_in_chromium(browser, docs_service, path, ui)


def check_page_in_chromium(browser: Any, docs_service: Service, path: str, ui: str) -> None:
    # With tokens (auth=jwt or users) the browser sends one, so "try it out" gets the API's answer rather than its 401
    # (the UI's own authorize dialog is tested in the rendered projects, tests/test_docs_ui_auth.py).
    context = browser.new_context(extra_http_headers=docs_service.auth_headers())
    page = context.new_page()
    page.add_init_script(VIOLATION_RECORDER)
    record = PageRecord()
    page.on("request", lambda request: record.requests.append(request.url))
    page.on("requestfinished", lambda request: record.finished.append(request.url))
    page.on("requestfailed", lambda request: record.failed.append(f"{request.url}: {request.failure}"))
    page.on(
        "response",
        lambda response: (
            record.bad_statuses.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.on("console", lambda message: record.console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: record.console.append(f"pageerror: {error}"))
    try:
        started = time.monotonic()
        response = page.goto(f"{docs_service.base_url}{path}", wait_until="load")
        # The operations of the example resource, as each UI shows them.
        page.get_by_text("List items").filter(visible=True).first.wait_for(timeout=30_000)
        page.get_by_text("/api/v1/items").first.wait_for(state="attached", timeout=30_000)
        shown_after = time.monotonic() - started
        if ui == "swagger":
            try_it_status = try_it_out_in_swagger_ui(page)
        # Give late requests (fonts, telemetry, logos) time to show up; they are all recorded.
        page.wait_for_timeout(1_000)
        violations = page.evaluate("window.__cspViolations")
        body_text = page.inner_text("body")
    finally:
        context.close()

    assert response is not None
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "unsafe-eval" not in policy
    assert "script-src 'self';" in policy
    assert ("'unsafe-inline'" in policy) is (ui in {"scalar", "redoc"})
    assert "Create an item" in body_text
    assert violations == []
    assert not [line for line in record.console if "Content Security Policy" in line or line.startswith("error")]
    assert not [line for line in record.console if line.startswith("pageerror")]
    assert record.failed == []
    assert sorted(record.finished) == sorted(record.requests), "every request completed"
    assert record.bad_statuses == []
    hosts = {urlsplit(url.removeprefix("blob:")).hostname for url in record.requests}
    assert hosts == {"127.0.0.1"}, record.requests
    assert f"{docs_service.base_url}/openapi.json" in record.requests
    if ui == "swagger":
        assert try_it_status == "200"
        assert any(url.startswith(f"{docs_service.base_url}/api/v1/items?") for url in record.requests)
    variant = f"{docs_service.project.answers['framework']} {ui} at {path}"
    print(f"\n{variant}: operations visible {shown_after:.2f} s after navigation; {len(record.requests)} requests")


def try_it_out_in_swagger_ui(page: Any) -> str:
    """Send "List items" from the page (a real request under the page's CSP) and return the status it shows."""
    page.locator(".opblock-summary", has_text="List items").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=10_000)
    return str(status.inner_text()).strip()


def test_refresh_script_refuses_other_hosts() -> None:
    loaded = _load_refresh_script()
    with pytest.raises(SystemExit, match="outside the npm registry"):
        loaded.fetch("https://cdn.example.com/redoc.js")


def _load_refresh_script() -> Any:
    loader = importlib.machinery.SourceFileLoader("refresh_docs_assets", str(REFRESH_SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up there
    loader.exec_module(module)
    return module


def test_refresh_script_check_reports_a_changed_file(tmp_path: Path) -> None:
    """--check must fail when a vendored file no longer matches its manifest (copied tree, nothing touched)."""
    copy = tmp_path / "repo"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy2(REFRESH_SCRIPT, copy / "scripts" / "refresh-docs-assets")
    for ui in UIS:
        shutil.copytree(
            template_ui_folder(ui), copy / "template" / "src" / SHARED_PACKAGE_DIR / template_ui_folder(ui).name
        )
    bundle = (
        copy
        / "template"
        / "src"
        / SHARED_PACKAGE_DIR
        / template_ui_folder("redoc").name
        / "vendor"
        / "redoc.standalone.js"
    )
    bundle.write_bytes(bundle.read_bytes() + b"\n")
    result = subprocess.run(
        [sys.executable, str(copy / "scripts" / "refresh-docs-assets"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "redoc: redoc.standalone.js differs from its manifest" in result.stderr
