"""The web sandbox in a real browser: Debian's Chromium, driven by Playwright, against ``hamkke run`` with no token.

The product is started as a person starts it (``hamkke db upgrade``, ``hamkke demo load``, ``hamkke run``) in a
subprocess on a free port; the browser picks a demo participant, sends ``/start``, taps a menu key and an inline
button, and sees the bot's answers, including a message edited in place.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
IN_CI = bool(os.environ.get("CI"))
TIMEOUT_MS = 90_000  # a hang guard, not a speed bound: under a loaded machine the page can take a while

if not CHROMIUM.exists() and not IN_CI:
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; .ci/run installs it in CI)", allow_module_level=True)
if not IN_CI:
    pytest.importorskip("playwright", reason="Playwright for Python is missing (pip install -e '.[dev]')")

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

expect.set_options(timeout=TIMEOUT_MS)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``hamkke run`` without a token on a fresh SQLite database with the demo center; yields the page's URL."""
    workdir = tmp_path_factory.mktemp("sandbox")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAMKKE_")}
    env.update(HAMKKE_DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'hamkke.db'}",
               HAMKKE_KEY_FILE=str(workdir / "hamkke.key"), HAMKKE_SANDBOX_HOST="127.0.0.1",
               HAMKKE_SANDBOX_PORT=str(_free_port()), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "bot"]
    for step in (["db", "upgrade"], ["demo", "load"]):
        done = subprocess.run([*command, *step], cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"hamkke {' '.join(step)} failed:\n{done.stdout}{done.stderr}"
    process = subprocess.Popen([*command, "run"], cwd=workdir, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if re.search(r"http://127\.0\.0\.1:\d+", line):
                found.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not found.wait(60):
            raise AssertionError("the sandbox did not start:\n" + "".join(output))
        url = re.search(r"http://127\.0\.0\.1:\d+", "".join(output))
        assert url is not None
        yield url.group(0)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        reader.join(5)
    assert process.returncode == 0, "".join(output)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def test_a_participant_starts_taps_a_menu_key_and_a_button_and_sees_the_replies(sandbox_url: str, page: Page) -> None:
    page.goto(sandbox_url)
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    phone = page.locator(".phone").first
    # pick the demo participant 이철수 (자전거) from the list of people
    phone.locator("select.persona").select_option(label="이철수 · 자전거")

    phone.locator("input.text").fill("/start")
    phone.get_by_role("button", name="보내기").click()
    expect(phone.locator(".bubble.from-user .body").last).to_have_text("/start")
    # Bubbles are found by their text: the real scheduler runs, so a reminder may arrive at any moment.
    expect(phone.locator(".bubble.from-bot", has_text="이철수님, 다시 오셨네요")).to_have_count(1)
    keyboard = phone.locator(".keyboard")
    expect(keyboard.get_by_role("button", name="📅 일정")).to_be_visible()

    keyboard.get_by_role("button", name="⚙️ 설정").click()  # a menu key sends its label
    settings = phone.locator(".bubble.from-bot", has_text="설정이에요")
    expect(settings).to_have_count(1)
    settings.get_by_role("button", name="🌐 언어").click()  # an inline button: the bubble changes in place
    edited = phone.locator(".bubble.from-bot", has_text="어떤 언어로 볼까요?")
    expect(edited).to_have_count(1)
    expect(edited.locator(".edited")).to_be_visible()
    expect(settings).to_have_count(0)  # the same bubble, not a new one

    edited.get_by_role("button", name="한국어").click()
    expect(phone.locator(".bubble.from-bot").last).to_contain_text("무엇을 도와드릴까요?")


def test_several_people_side_by_side_each_in_their_own_chat(sandbox_url: str, page: Page) -> None:
    page.goto(sandbox_url)
    phones = page.locator(".phone")
    # The page adds its first phones in one go once it has the people: count them only after they are there
    # (counting at once read 0 on a loaded machine, and then 3 phones never matched "0 + 1").
    expect(phones.first).to_be_attached()
    before = phones.count()
    page.get_by_role("button", name="＋ 휴대폰 추가").click()
    expect(phones).to_have_count(before + 1)
    worker, newcomer = phones.nth(0), phones.nth(before)
    worker.locator("select.persona").select_option(label="오지훈 · 과장")
    # typed rather than the 시작하기 button: on a weekday morning the digest arrives first and the button,
    # shown only in an empty chat, is gone
    worker.locator("input.text").fill("/start")
    worker.locator("input.text").press("Enter")
    expect(worker.locator(".keyboard")).to_contain_text("📋 오늘 일정")

    newcomer.locator("select.persona").select_option(value="new")
    expect(newcomer.locator("form.invite")).to_be_visible()
    newcomer.get_by_role("button", name="시작하기", exact=True).click()  # an empty chat offers Telegram's START button
    expect(newcomer.locator(".bubble.from-user .body").last).to_have_text("/start")
    expect(newcomer.locator(".bubble.from-bot").last).to_contain_text("초대 링크")
    # each phone shows only its own person's chat
    expect(worker.locator(".bubble", has_text="초대 링크")).to_have_count(0)
    expect(newcomer.locator(".keyboard")).to_be_hidden()

    # the newcomer gets an invite code made on the page and joins with it
    newcomer.get_by_text("초대 코드가 없나요?").click()
    newcomer.locator("input.invite-name").fill("홍길동")
    newcomer.get_by_role("button", name="초대 코드 만들기").click()
    expect(newcomer.locator("input.invite-code")).to_have_value(re.compile(r"^[A-Za-z0-9]{12}$"))
    newcomer.get_by_role("button", name="코드로 시작하기").click()
    consent = newcomer.locator(".bubble.from-bot").last
    expect(consent).to_contain_text("동의하시나요?")
    expect(consent.locator("b").first).to_contain_text("개인정보")  # Telegram HTML shown as bold, not as tags
    consent.get_by_role("button", name="✅ 동의해요").click()
    expect(consent).to_contain_text("민감정보")
    consent.get_by_role("button", name="✅ 동의해요").click()
    expect(newcomer.locator(".keyboard").get_by_role("button", name="📅 일정")).to_be_visible()
    # once joined, the person is in everyone's list of people under their name
    expect(newcomer.locator("select.persona option:checked")).to_have_text(re.compile("홍길동"))
    expect(worker.locator("select.persona option", has_text="홍길동")).to_have_count(1)
