"""Browser: an editor types the MRR example of issue 12 in plain English, sees every rule read, accepts,
watches the live preview run (and re-run on a change), saves a draft and finds it in the review queue; a
rule naming a value that does not exist is refused with the nearest value, and nothing is written.
Debian Chromium through Playwright against a uvicorn server over a fresh copy of the demo."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from tests.web.browser import chromium, running, shoot

RULES = (
    "Exclude trial subscriptions",
    "Only count active and past_due status",
    "Convert annual contracts to monthly equivalent",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def type_definition(page: Any, name: str, definition: str, rules: tuple[str, ...]) -> None:
    page.fill("#d-name", name)
    page.fill("#d-definition", definition)
    for i, rule in enumerate(rules):
        if i:
            page.click("#add-rule")
        page.locator("#rules .rule-input").nth(i).fill(rule)
    page.click("#analyze")


def test_define_mrr_in_plain_english(browser: Any, rw_project: Project) -> None:
    catalog: Any = rw_project.catalog  # type: ignore[attr-defined]
    token = catalog.add_user("plain_editor", "editor")
    with running(create_app(rw_project)) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        external: list[str] = []
        page.on(
            "request", lambda r: external.append(r.url) if not r.url.startswith((base, "data:")) else None
        )
        page.goto(f"{base}/login?token={token}&next=/define")
        page.wait_for_selector("#define-agent")
        type_definition(page, "subscription_value", "Total value of active subscriptions per month", RULES)

        page.wait_for_selector("#rules-read li.rule >> nth=2")
        readings = page.locator("#rules-read li.rule")
        assert readings.count() == 3
        for i, rule in enumerate(RULES):
            item = readings.nth(i)
            assert rule in item.inner_text() and item.locator(".rule-status").inner_text().startswith("read")
            assert item.locator(".reason").inner_text().strip()
        assert "reuse it?" in page.locator("#similar tbody tr").first.inner_text()
        assert page.locator("#similar .reuse").get_attribute("href") == "/metrics/mrr"
        assert "month_start" in page.inner_text("#time-dimension")

        page.check("#choice-measure input[value='accept']")
        page.wait_for_selector("#live-table tbody tr")
        assert page.locator("#live-table tbody tr").count() == 12
        page.wait_for_selector("#live-chart[data-rendered='line'] svg")
        assert "GROUP BY" in page.inner_text("#live-sql")
        first_month = page.locator("#live-table tbody tr").first.inner_text()
        shoot(page, "define_plain")

        page.check("#choice-measure input[value='modify']")  # change the measure: the preview runs again
        page.select_option("#choice-measure select[name='measure_modify']", "paid_amount")
        page.wait_for_selector("#live-yaml:has-text('paid_amount')", state="attached")
        assert page.locator("#live-table tbody tr").first.inner_text() != first_month
        page.check("#choice-measure input[value='accept']")
        page.wait_for_selector("#live-yaml:has-text('measure: mrr')", state="attached")

        first_rule = readings.nth(0)  # Manual: a typed filter goes through the allow-list, server-side
        first_rule.locator("input[value='manual']").check()
        first_rule.locator("input[name='rule_manual_0']").fill("1=1; drop table customers")
        page.wait_for_selector("#live .alert.error[data-error='invalid_filter']")
        page.click("#save-draft")
        page.wait_for_selector("#define-saved .alert.error[data-error='invalid_filter']")
        assert catalog.changes() == []
        first_rule.locator("input[value='accept']").check()
        page.wait_for_selector("#live-table tbody tr")

        page.click("#save-draft")
        page.wait_for_selector("#saved[data-state='draft']")
        page.click("#to-review")
        card = page.locator("section.change[data-name='subscription_value']")
        card.wait_for()
        assert "Exclude trial subscriptions" in card.inner_text()
        assert not external, external
        page.close()

        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/login?token={token}&next=/define")
        page.wait_for_selector("#define-agent")
        type_definition(page, "platinum_mrr", "Monthly recurring revenue", ("Only the Platinum plan",))
        page.wait_for_selector("#refusal[data-error='unknown_value']")
        assert "Pro" in page.inner_text("#refusal") and "Nothing is written" in page.inner_text("#refusal")
        assert page.locator("#save-draft, #live").count() == 0
        shoot(page, "define_refused")
        page.click("#fill-example")  # the example: a certified metric of the project, its filter as a rule
        assert page.input_value("#d-name") == "my_churned_customers"
        assert page.input_value("#d-definition").startswith("Customers whose paid subscription ends")
        assert [r.input_value() for r in page.locator("#rules .rule-input").all()] == ["Only status canceled"]
        page.click("#add-rule")
        page.locator("#rules .remove-rule").first.click()
        assert page.locator("#rules .rule-input").count() == 1
        page.close()

        page = browser.new_page(viewport={"width": 1280, "height": 900})  # a proposal the agent doubts
        page.goto(f"{base}/login?token={token}&next=/define")
        page.wait_for_selector("#define-agent")
        type_definition(page, "collected_doubt", "Money collected from paid invoices each month", ())
        doubt = page.locator("#rules-read li.rule[data-status='unread']", has_text="(doubt)")
        doubt.wait_for()
        page.wait_for_selector("#live-table tbody tr")  # the preview runs before anyone confirms
        page.click("#save-draft")
        page.wait_for_selector("#define-saved .alert.error")
        assert "Confirm" in page.inner_text("#define-saved") and len(catalog.changes()) == 1
        doubt.locator("input[value='confirm']").check()
        page.click("#save-draft")
        page.wait_for_selector("#saved[data-state='draft']")
        page.close()
    assert sorted(c["name"] for c in catalog.changes()) == ["collected_doubt", "subscription_value"]
