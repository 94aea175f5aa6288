"""The whole year in a real browser (issue 7, "End to end in Chromium").

Playwright drives Debian's Chromium (/usr/bin/chromium, never a downloaded browser) against
pytest-django's live server. Everything a person does goes through the pages: registering, filling
Table A.1 tab by tab, uploading evidence, the completeness check, submitting, the street's and the
district bureau's decisions, the return and resubmission, Annex 2, the programme's moves, automatic
assignment, the pledge, a conflict declaration, scoring, determination and publication. The ORM only
sets up what an administrator would create in the admin (reference data, demo accounts, expert
profiles, the programme's review settings).

Screenshots of every step go to test-artifacts/e2e/ at the repository root (kept after the run),
with the downloaded files. Any console error, uncaught page error or Content-Security-Policy
violation fails the test. Celery runs eagerly (tests/conftest.py), so renders and exports are done
by the time the page that started them redirects.

The steps are ``the_whole_year(browser, shot, console, programme)``: tests/system/test_cluster_e2e.py runs
the same year through the cluster's nginx, where real workers do the renders and exports (the pages
wait for them as a person would).

Skip it locally with ``-m "not browser"``; without Chromium it is skipped, except in CI (CI=true)
where it fails.
"""

import io
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]
PASSWORD = "demo2026"  # portal.demo.DEMO_PASSWORD
APPLICANT_PASSWORD = "Zhiliang-Gongguan-2026!"
CREDIT_CODE = "91310000132149237G"
ORG_NAME = "上海申嘉精工装备有限公司"
PROJECT = "高精度伺服压装机质量攻关"
STREET_UNIT = "嘉定区南翔镇"
CATEGORY = "高端装备"
TIMEOUT_MS = 30_000

# Reports console messages of CSP violations (Chromium also logs them, this makes sure of it).
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI + " at " + e.sourceFile
                + ":" + e.lineNumber);
});
"""


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def chromium(monkeypatch):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test makes
    # (set-up, checks) are synchronous and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def artifacts():
    """test-artifacts/e2e/, emptied at the start of the run and kept afterwards."""
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    return Shots(ARTIFACTS)


class Shots:
    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        self.names: list[str] = []

    def __call__(self, page, name: str):
        self.count += 1
        filename = f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(self.folder / filename), full_page=True)
        self.names.append(filename)

    def keep(self, name: str, content: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(content)
        return path


class Console:
    """Console errors, uncaught page errors and CSP violations of every page, with the page's URL."""

    def __init__(self):
        self.errors: list[str] = []
        self.allowed: list[re.Pattern] = []

    def watch(self, page, who: str):
        def on_console(message):
            if message.type == "error":
                self._record(f"[{who}] console error on {page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self._record(f"[{who}] page error on {page.url}: {error}"))

    def _record(self, text: str):
        if not any(pattern.search(text) for pattern in self.allowed):
            self.errors.append(text)

    @contextmanager
    def allow(self, pattern: str):
        """An error the step expects (the browser logs a 404 it was meant to get)."""
        compiled = re.compile(pattern)
        self.allowed.append(compiled)
        try:
            yield
        finally:
            self.allowed.remove(compiled)

    def check(self):
        assert not self.errors, "Browser console errors:\n" + "\n".join(self.errors)


@pytest.fixture
def console():
    """Collects browser errors; printed at teardown too, so they show beside any other failure."""
    watcher = Console()
    yield watcher
    if watcher.errors:
        print("Browser console errors:\n" + "\n".join(watcher.errors))


@pytest.fixture
def year(db):
    """What administrators set up in the admin before the year starts: reference data, the demo
    accounts and programmes (portal.demo), three experts in the pool with expertise in 高端装备 and
    distinct work units, and the Jiading programme's review settings (3 experts per project)."""
    from portal.demo import seed_demo
    from portal.models import Programme, ProjectCategory, User
    from portal.models.users import Role
    from portal.reference import load_reference
    from scoring.models import ExpertProfile

    load_reference()
    seed_demo()
    programme = Programme.objects.get(organiser__name="上海市嘉定区市场监督管理局")
    programme.experts_per_application = 3
    programme.min_load_per_expert = 0
    programme.max_load_per_expert = 10
    programme.save()

    expert3 = User.objects.create(username="expert3", full_name="陈专家", role=Role.EXPERT,
                                  email="expert3@sues.example.edu.cn")
    expert3.set_password(PASSWORD)
    expert3.save()
    category = ProjectCategory.objects.get(name=CATEGORY)
    units = {"expert1": "上海交通大学机械与动力工程学院", "expert2": "同济大学材料科学与工程学院",
             "expert3": "上海工程技术大学"}
    for username, unit in units.items():
        profile = ExpertProfile.objects.create(user=User.objects.get(username=username), work_unit=unit,
                                               title="教授级高级工程师")
        profile.expertise.add(category)
    return programme


# --- helpers ------------------------------------------------------------------------------------


def tiny_pdf(text: str) -> bytes:
    """A small, valid one-page PDF (ASCII text): the demo's own builder."""
    from portal.demo_steps import pdf_bytes

    return pdf_bytes(text)


class Browser:
    """One browser context per person (own cookies), every page watched for console errors."""

    def __init__(self, chromium, base_url: str, console: Console, timeout_ms: int = TIMEOUT_MS):
        self.chromium = chromium
        self.base_url = base_url
        self.console = console
        self.timeout_ms = timeout_ms

    def page(self, who: str):
        context = self.chromium.new_context(base_url=self.base_url, locale="zh-CN", accept_downloads=True,
                                            viewport={"width": 1280, "height": 900})
        context.set_default_timeout(self.timeout_ms)
        context.add_init_script(CSP_WATCH)
        page = context.new_page()
        # Confirmations (data-confirm) and the unsaved-changes warning (beforeunload): go on.
        page.on("dialog", lambda dialog: dialog.accept())
        self.console.watch(page, who)
        return page

    def login(self, username: str, password: str = PASSWORD):
        page = self.page(username)
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        click_and_wait(page, page.locator("main form").get_by_role("button", name="登录"))
        assert page.url.endswith("/dashboard/"), f"{username} could not sign in: {page.url}"
        return page


def click_and_wait(page, locator):
    """Clicks something that loads a new page (a link, a form's submit button) and waits for it."""
    with page.expect_navigation(wait_until="load"):
        locator.click()


def expect_message(page, text: str):
    messages = page.locator(".messages")
    assert text in messages.inner_text(), f"expected message {text!r} on {page.url}, got: {messages.inner_text()!r}"


def show_tab(page, key: str):
    page.locator(f"#tab-{key}-button").click()
    page.locator(f"#tab-{key}.active.show").wait_for()


def save_draft(page):
    click_and_wait(page, page.locator("button[form=application-form]"))
    expect_message(page, "草稿已保存")


def download(page, locator) -> tuple[str, bytes]:
    with page.expect_download() as info:
        locator.click()
    item = info.value
    return item.suggested_filename, Path(item.path()).read_bytes()


# --- the year -----------------------------------------------------------------------------------


def test_the_whole_year_in_chromium(live_server, chromium, artifacts, console, year):
    the_whole_year(Browser(chromium, live_server.url, console), artifacts, console, year)


def the_whole_year(browser: Browser, shot: Shots, console: Console, programme):
    """The year's steps against ``browser``'s site; the ORM reads the same database."""
    from applications.models import Application

    # 1. An applicant registers an organisation ------------------------------------------------
    applicant = browser.page("applicant")
    applicant.goto("/")
    click_and_wait(applicant, applicant.locator("nav").get_by_role("link", name="注册"))
    applicant.fill("#id_username", "shenjia")
    applicant.fill("#id_full_name", "王申报")
    applicant.fill("#id_email", "wang.shenbao@shenjia-precision.example.com")
    applicant.fill("#id_phone", "13900000077")
    applicant.fill("#id_password1", APPLICANT_PASSWORD)
    applicant.fill("#id_password2", APPLICANT_PASSWORD)
    applicant.fill("#id_credit_code", CREDIT_CODE)
    applicant.fill("#id_org-name", ORG_NAME)
    applicant.fill("#id_org-legal_representative", "周建国")
    applicant.select_option("#id_org-ownership", "private")
    applicant.select_option("#id_org-size", "medium")
    applicant.fill("#id_org-industry", "专用设备制造业")
    applicant.check("#id_org-strategic_emerging")
    applicant.fill("#id_org-address", "上海市嘉定区南翔镇德园路1188号")
    applicant.fill("#id_org-phone", "021-59120000")
    applicant.fill("#id_org-contact_person", "王申报")
    applicant.fill("#id_org-mobile", "13900000077")
    applicant.fill("#id_org-email", "office@shenjia-precision.example.com")
    applicant.select_option("#id_org-district", label="嘉定区")
    applicant.check("#id_org-is_specialised")
    shot(applicant, "register")
    click_and_wait(applicant, applicant.locator("main form").get_by_role("button", name="注册"))
    assert applicant.url.endswith("/dashboard/")
    expect_message(applicant, f"单位“{ORG_NAME}”已登记")

    # 2. Creates an application and fills Table A.1 ---------------------------------------------
    click_and_wait(applicant, applicant.locator("nav").get_by_role("link", name="申报项目"))
    click_and_wait(applicant, applicant.locator("main").get_by_role("link", name="新建申报").first)
    applicant.select_option("#id_programme", label=programme.title)
    applicant.fill("#id_project_name", PROJECT)
    click_and_wait(applicant, applicant.get_by_role("button", name="创建申报草稿"))
    expect_message(applicant, "已创建申报草稿")
    edit_url = applicant.url.split("?")[0]
    assert re.search(r"/applications/\d+/$", edit_url), edit_url

    # Half of it: the basic information only, then the check lists what is missing.
    applicant.select_option("#id_category", label=CATEGORY)
    applicant.check("input[name=advancement_level][value=leading]")
    applicant.fill("#id_completion_date", "2025-06-30")
    applicant.select_option("#id_recommender", label=STREET_UNIT)
    applicant.check("#id_is_chokepoint")
    applicant.check("#id_is_digital")
    shot(applicant, "form")
    save_draft(applicant)
    show_tab(applicant, "check")
    check = applicant.locator("#tab-check")
    missing = check.locator(".missing-list").inner_text()
    for item in ("组织及攻关产品基本情况介绍", "质量创新程度", "社会效益", "单位负责人意见",
                 "请至少填写1名攻关项目组成员", "签章页", "检测报告、鉴定报告或检索报告"):
        assert item in missing, f"the checklist does not mention {item!r}:\n{missing}"
    assert check.get_by_role("button", name="提交").is_disabled()
    shot(applicant, "checklist-incomplete")
    # The checklist's links open the tab holding the missing field.
    check.locator(".missing-list a", has_text="组织及攻关产品基本情况介绍").click()
    applicant.locator("#tab-intro.active.show").wait_for()

    # The rest of the form, tab by tab.
    applicant.fill("#id_org_intro", "本公司成立于2008年，专业从事伺服压装机及智能装配产线的研发制造，"
                                    "产品服务于汽车零部件、轨道交通和航空航天等行业。")
    applicant.fill("#id_background", "伺服压装机的压装力与位移控制精度决定关键零部件的装配质量，"
                                     "进口设备价格高、交付周期长，国产设备精度与稳定性不足。")
    applicant.fill("#id_objectives", "压装力控制精度由±1.0%FS提高到±0.3%FS，位移重复定位精度达到±0.005mm，"
                                     "整机平均无故障时间达到5000小时。")
    applicant.fill("#id_investment", "850")
    show_tab(applicant, "quality")
    applicant.fill("#id_quality_level", "经第三方检测，压装力控制精度±0.25%FS，达到国际同类产品先进水平。")
    applicant.fill("#id_innovation", "主要问题：压装过程力-位移曲线波动大。技术路线：高刚性机身有限元优化、"
                                     "双闭环伺服控制算法、在线曲线判定。创新点：自适应压装速度规划。")
    applicant.fill("#id_key_indicator_name", "压装力控制精度")
    applicant.fill("#id_key_indicator_before", "±1.0%FS")
    applicant.fill("#id_key_indicator_after", "±0.25%FS")
    show_tab(applicant, "effect")
    applicant.fill("#id_effect_direct", "攻关后12个月销售额增长35%，利润增长48%。")
    applicant.fill("#id_effect_indirect", "替代进口设备，客户装配一次合格率提升至99.8%。")
    applicant.fill("#id_effect_green", "单位产品能耗下降12.5%，液压油使用量归零。")
    applicant.fill("#id_reduction_percent", "12.5")
    applicant.fill("#id_reduction_basis", "单位产品综合能耗")
    applicant.fill("#id_effect_social", "带动本地配套企业20余家，培养高级技工30名。")
    figures = {"sales": ("12000", "16200"), "profit": ("1500", "2220"), "energy": ("80", "150"),
               "forex": ("300", "900"), "other": ("0", "50")}
    for column, (before, after) in figures.items():
        applicant.fill(f"#id_{column}_before", before)
        applicant.fill(f"#id_{column}_after", after)
    growth = applicant.locator("output[data-growth=sales]").inner_text()
    assert growth == "+35.0%", growth
    show_tab(applicant, "team")
    team = [("周建国", "male", "总经理/高级工程师", "master", "上海申嘉精工装备有限公司"),
            ("李明华", "female", "技术总监/高级工程师", "doctorate", "上海申嘉精工装备有限公司研发中心"),
            ("陈志强", "male", "质量部经理/工程师", "bachelor", "上海申嘉精工装备有限公司质量部")]
    for n, (name, gender, title, education, unit) in enumerate(team):
        applicant.locator("#team-formset [data-formset-add]").click()
        applicant.fill(f"input[name=team-{n}-name]", name)
        applicant.select_option(f"select[name=team-{n}-gender]", gender)
        applicant.fill(f"input[name=team-{n}-title]", title)
        applicant.select_option(f"select[name=team-{n}-education]", education)
        applicant.fill(f"input[name=team-{n}-work_unit]", unit)
    shot(applicant, "form-team")
    show_tab(applicant, "signoff")
    for role, person in (("tech_head", "李明华"), ("finance_head", "赵红梅"), ("unit_head", "周建国")):
        applicant.fill(f"#id_{role}_opinion", "情况属实，同意申报。")
        applicant.fill(f"#id_{role}_name", person)
        applicant.fill(f"#id_{role}_date", "2026-03-20")
    applicant.locator("#conflict-formset [data-formset-add]").click()
    applicant.fill("input[name=conflicts-0-expert_name]", "钱某某")
    applicant.fill("input[name=conflicts-0-work_unit]", "某竞争企业技术中心")
    applicant.fill("input[name=conflicts-0-reason]", "存在直接竞争关系")
    save_draft(applicant)
    assert "tab=signoff" in applicant.url
    assert applicant.locator("input[name=team-2-name]").input_value() == "陈志强"

    # What is left is the evidence; upload it and the check is satisfied.
    show_tab(applicant, "check")
    missing = applicant.locator("#tab-check .missing-list").inner_text()
    assert "签章页" in missing and "经济效益计算说明" in missing, missing
    assert "组织及攻关产品基本情况介绍" not in missing, missing
    show_tab(applicant, "evidence")
    for kind, name, description in (("signature_page", "signature-page.pdf", "三位负责人签字并盖章的意见页"),
                                     ("test_report", "test-report.pdf", "压装力控制精度检测报告"),
                                     ("calculation", "economic-calculation.pdf", "经济效益计算说明")):
        applicant.select_option("#id_kind", kind)
        applicant.fill("#id_description", description)
        applicant.set_input_files("#id_file", files=[{"name": name, "mimeType": "application/pdf",
                                                      "buffer": tiny_pdf(f"E2E {kind}")}])
        click_and_wait(applicant, applicant.locator("#evidence-upload").get_by_role("button", name="上传"))
        expect_message(applicant, f"文件“{name}”已上传")
    shot(applicant, "evidence")
    show_tab(applicant, "check")
    assert "必填内容和证实性材料已齐全" in applicant.locator("#tab-check").inner_text()
    shot(applicant, "checklist-complete")
    click_and_wait(applicant, applicant.locator("#tab-check").get_by_role("button", name="提交"))
    expect_message(applicant, "已提交第1版")
    application = Application.objects.get(project_name=PROJECT)
    assert application.status == "submitted"

    # The PDF of Table A.1 from the documents panel (rendered on submission).
    pdf_link = applicant.locator(".documents-list a", has_text="PDF").first
    pdf_link.wait_for()
    shot(applicant, "submitted")
    name, content = download(applicant, pdf_link)
    assert name.endswith(".pdf") and content.startswith(b"%PDF-"), (name, content[:16])
    shot.keep("table-a1-v1.pdf", content)

    # 3. Recommendation: street endorses, bureau returns, applicant resubmits ----------------------
    review_url = f"/applications/{application.pk}/review/"
    street = browser.login("nanxiang")
    click_and_wait(street, street.locator("main").get_by_role("link", name="进入推荐审核").first)
    click_and_wait(street, street.locator("main table").get_by_role("link", name=PROJECT))
    assert street.url.endswith(review_url)
    endorse(street, opinion="该项目攻关成效显著，同意推荐。")
    expect_message(street, "已推荐")
    assert _status(application) == "endorsed_by_street"
    shot(street, "street-endorsed")

    bureau = browser.login("jiading_bureau")
    bureau.goto(f"/applications/recommend/?programme={programme.pk}")
    click_and_wait(bureau, bureau.locator("main table").get_by_role("link", name=PROJECT))
    assert "南翔镇 的推荐意见" in bureau.locator("main").inner_text()
    returning = bureau.locator(f"form[action='/applications/{application.pk}/review/return/']")
    bureau.locator("details", has=returning).locator("summary").click()
    returning.locator("textarea[name=comment]").fill("请在“质量攻关目标”中补充攻关前后指标对比及验证方法。")
    returning.locator("input[name=sections][value=intro]").check()
    shot(bureau, "bureau-return")
    click_and_wait(bureau, returning.get_by_role("button", name="退回修改"))
    expect_message(bureau, "已退回修改")
    assert _status(application) == "returned"

    applicant.goto(edit_url)
    banner = applicant.locator("main .alert-warning").first
    assert "申报已被退回修改" in banner.inner_text()
    show_tab(applicant, "intro")
    assert "补充攻关前后指标对比" in applicant.locator("#tab-intro").inner_text()
    shot(applicant, "applicant-returned")
    objectives = applicant.locator("#id_objectives")
    objectives.fill(objectives.input_value() + "攻关前后指标对比见检测报告，由第三方检测机构按JB/T 13345验证。")
    save_draft(applicant)
    show_tab(applicant, "check")
    click_and_wait(applicant, applicant.locator("#tab-check").get_by_role("button", name="重新提交"))
    expect_message(applicant, "已提交第2版")
    assert _status(application) == "submitted"
    shot(applicant, "resubmitted")

    street.goto(review_url)
    endorse(street, opinion="已按区局意见补充完善，同意推荐。")
    expect_message(street, "已推荐")
    shot(street, "street-endorsed-again")

    bureau.goto(review_url)
    endorse(bureau, opinion="经复核，同意推荐。", button="复核推荐（报主管部门）")
    expect_message(bureau, "已推荐")
    assert _status(application) == "endorsed"
    bureau.goto(f"/applications/recommend/?programme={programme.pk}")
    click_and_wait(bureau, bureau.get_by_role("link", name="推荐排序与汇总表"))
    assert PROJECT in bureau.locator("main table").inner_text()
    click_and_wait(bureau, bureau.get_by_role("button", name="导出 Excel"))
    annex2_link = bureau.locator(".job-status a", has_text="下载")
    annex2_link.wait_for()
    shot(bureau, "annex2")
    name, content = download(bureau, annex2_link)
    assert name.endswith(".xlsx") and content.startswith(b"PK"), (name, content[:16])
    shot.keep("annex2.xlsx", content)
    assert PROJECT in _xlsx_text(content)

    # 4. Expert review: the administrator opens it and assigns automatically ----------------------
    admin = browser.login("jiading_admin")
    admin.goto(f"/programmes/{programme.pk}/")
    for move, label in (("start_recommending", "截止申报，进入推荐审核"), ("start_reviewing", "进入专家评价")):
        form = admin.locator(f"form[action='/programmes/{programme.pk}/transition/{move}/']")
        click_and_wait(admin, form.get_by_role("button", name=label))
        expect_message(admin, "已进入")
    assert "专家评价" in admin.locator("main h1 + p").inner_text()
    shot(admin, "programme-reviewing")
    click_and_wait(admin, admin.get_by_role("link", name="评审分配"))
    click_and_wait(admin, admin.get_by_role("button", name="生成分配方案"))
    expect_message(admin, "自动分配已开始")
    # There at once when Celery is eager; with a worker the page reloads itself when the job is done.
    admin.locator("main .job-status[data-hx-get]").wait_for(state="detached")
    proposal_link = admin.locator("main a[href*='/scoring/proposals/']").first
    proposal_link.wait_for()
    click_and_wait(admin, proposal_link)
    proposal = admin.locator("table[data-table=proposal-applications]").inner_text()
    assert PROJECT in proposal
    for unit in ("上海交通大学", "同济大学", "上海工程技术大学"):
        assert unit in proposal, proposal
    shot(admin, "assignment-proposal")
    click_and_wait(admin, admin.get_by_role("button", name="应用此方案"))
    expect_message(admin, "已应用分配方案：新增 3 个分配")
    shot(admin, "assignment-applied")

    # One expert declares a conflict and loses the application.
    conflicted = browser.login("expert1")
    score_url = pledge_and_open(conflicted)
    click_and_wait(conflicted, conflicted.locator("main table tr", has_text=PROJECT).get_by_role("link",
                                                                                                 name="申请回避"))
    conflicted.fill("textarea[name=reason]", "本人曾参与该单位同类产品的技术咨询。")
    shot(conflicted, "expert-conflict")
    click_and_wait(conflicted, conflicted.get_by_role("button", name="确认回避"))
    expect_message(conflicted, "已申请回避")
    with console.allow(r"status of 404"):
        response = conflicted.goto(score_url)
        assert response.status == 404, f"{score_url} answered {response.status} after the recusal"
        shot(conflicted, "expert-conflict-404")
    conflicted.goto("/scoring/review/")
    assert PROJECT not in conflicted.locator("main").inner_text()

    # The others pledge and score.
    for username, high in (("expert2", True), ("expert3", False)):
        expert = browser.login(username)
        pledge_and_open(expert)
        click_and_wait(expert, expert.locator("main table tr", has_text=PROJECT).get_by_role("link", name="评分"))
        fill_score_sheet(expert, high=high)
        shot(expert, f"score-sheet-{username}")
        click_and_wait(expert, expert.get_by_role("button", name="提交评分"))
        expect_message(expert, "评分已提交并锁定")
        shot(expert, f"score-submitted-{username}")

    # 5. Determination and publication ------------------------------------------------------------
    admin.goto(f"/programmes/{programme.pk}/")
    form = admin.locator(f"form[action='/programmes/{programme.pk}/transition/start_determining/']")
    click_and_wait(admin, form.get_by_role("button", name="进入成果评定"))
    expect_message(admin, "已进入")
    click_and_wait(admin, admin.locator("main").get_by_role("link", name="成果评定").first)
    first_row = admin.locator("table.ranking-table tbody tr").first
    assert PROJECT in first_row.inner_text()
    assert first_row.locator("td").first.inner_text().strip() == "1"
    assert first_row.locator("td").nth(4).inner_text().strip() == "2"  # two counted scores
    shot(admin, "ranking")
    admin.select_option("#id_tier_method", "counts")
    admin.fill("#id_first_value", "1")
    admin.fill("#id_second_value", "2")
    admin.fill("#id_third_value", "3")
    click_and_wait(admin, admin.get_by_role("button", name="保存设置"))
    expect_message(admin, "评定设置已保存")
    assert "一等奖" in admin.locator("table.ranking-table tbody tr").first.inner_text()
    # Two of the three experts scored (one recused): the page says so, and approving needs 仍然批准.
    under_scored = admin.locator("#under-scored").inner_text()
    assert f"《{PROJECT}》（2 份）" in under_scored, under_scored
    admin.fill("#approve-note", "经主管部门审定")
    admin.check("#confirm-under-scored")
    click_and_wait(admin, admin.get_by_role("button", name="批准评定结果"))
    expect_message(admin, "评定结果已批准")
    admin.fill("#publish-note", "年度成果公布")
    click_and_wait(admin, admin.get_by_role("button", name="公布成果"))
    expect_message(admin, "成果已公布")
    shot(admin, "published")

    public = browser.page("public")
    public.goto("/awards/")
    listing = public.locator("main").inner_text()
    assert PROJECT in listing and ORG_NAME in listing and "一等奖" in listing, listing
    shot(public, "public-awards")

    # The applicant finds the certificate's code on the dashboard; anyone can verify it.
    applicant.goto("/dashboard/")
    result = applicant.locator("section", has=applicant.locator("#award-results-heading"))
    href = result.get_by_role("link", name="公开信息").get_attribute("href")
    code = re.fullmatch(r"/awards/verify/(\w+)/", href).group(1)
    shot(applicant, "applicant-result")
    public.fill("#verify-code", code)
    click_and_wait(public, public.get_by_role("button", name="验证"))
    assert public.url.endswith(f"/awards/verify/{code}/")
    verified = public.locator("main").inner_text()
    assert "证书有效" in verified and PROJECT in verified and ORG_NAME in verified and code in verified
    assert "一等奖" in verified and STREET_UNIT in verified
    shot(public, "verify")

    console.check()


# --- steps --------------------------------------------------------------------------------------


def _status(application) -> str:
    application.refresh_from_db()
    return application.status


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for cell in row if cell is not None)


def endorse(page, *, opinion: str, button: str = ""):
    """Fills the recommender's 推荐 form on the review page and sends it."""
    form = page.locator("form[action$='/review/endorse/']")
    form.locator("textarea[name=opinion]").fill(opinion)
    form.locator("input[name=actual_effect][value=significant]").check()
    form.locator("input[name=leading_degree][value=domestic]").check()
    assert form.locator("input[name=completion_date]").input_value() == "2025-06-30"
    target = form.get_by_role("button", name=button) if button else form.locator("button[type=submit]")
    click_and_wait(page, target)


def pledge_and_open(page) -> str:
    """From the expert's home: signs the programme's pledge, lands on the assigned list; returns the
    score sheet's URL of the project."""
    page.goto("/scoring/review/")
    click_and_wait(page, page.locator("main").get_by_role("link", name="签署保密承诺"))
    page.check("#pledge-agree")
    click_and_wait(page, page.get_by_role("button", name="签署承诺"))
    expect_message(page, "已签署保密及回避承诺")
    row = page.locator("main table tr", has_text=PROJECT)
    return row.get_by_role("link", name="评分").get_attribute("href")


def fill_score_sheet(page, *, high: bool):
    """A band and points for every criterion (the top band at its maximum, or the second band at its
    minimum), a level for bonus criteria, a comment on each, and the overall comment."""
    criteria = page.locator("#score-form fieldset[data-score-criterion]")
    assert criteria.count() > 0
    for i in range(criteria.count()):
        fieldset = criteria.nth(i)
        level = fieldset.locator("select[data-score-level]")
        if level.count():
            values = [v for v in level.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
            level.select_option(values[-1] if high else "none")
            continue
        bands = fieldset.locator("input[data-score-band]")
        ranges = bands.evaluate_all("bs => bs.map(b => [Number(b.dataset.min), Number(b.dataset.max)])")
        order = sorted(range(len(ranges)), key=lambda n: -ranges[n][1])
        chosen = order[0] if high or len(order) == 1 else order[1]
        bands.nth(chosen).check()
        points = ranges[chosen][1] if high else ranges[chosen][0]
        fieldset.locator("input[data-score-points]").fill(f"{points:g}")
        fieldset.locator("textarea[data-score-comment]").fill("材料翔实，指标有第三方检测报告佐证。")
    page.fill("#score-form textarea[name=overall_comment]", "攻关目标明确，成效显著，建议给予奖励。")
    total = page.locator("output[data-score-total]").inner_text()
    assert total not in ("", "—", "0"), total

