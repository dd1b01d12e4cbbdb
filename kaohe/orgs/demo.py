"""The demo city 明澜市: a fictional SOE party organisation, its members, and one account per role.

`plan_city` draws the whole city in memory; it is pure and the same for the same seed. `build_city`
writes a plan with bulk inserts in one transaction and one audit row for the whole load: going
through create_org / create_person would write 12,000 audit rows and take many times longer.
"""

import datetime
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from kaohe.accounts import actions as account_actions
from kaohe.accounts.models import Role
from kaohe.audit.actions import record
from kaohe.orgs import id_numbers
from kaohe.orgs.actions import name_pinyin, place
from kaohe.orgs.crypto import digest, encrypt
from kaohe.orgs.models import MIN_JOIN_AGE, Gender, MemberStatus, OrgKind, OrgUnit, Person, years_after

CITY = "明澜市"
DEMO_PASSWORD = "Demo@2026kaohe"
# Dates are drawn relative to a fixed day, not today, so that a seed gives the same city every year.
AS_OF = datetime.date(2026, 6, 30)
ROOT_FOUNDED = datetime.date(2005, 3, 18)
LAST_FOUNDING = datetime.date(2022, 12, 31)
SPLIT_ON = datetime.date(2023, 6, 30)
MERGE_ON = datetime.date(2024, 12, 31)

SCALES: dict[str, dict[str, int]] = {
    "full": {"enterprises": 24, "second_level": 60, "branches": 600, "members": 12000},
    "small": {"enterprises": 3, "second_level": 3, "branches": 20, "members": 300},
}

# Company, short name, the prefix its subsidiaries' names carry, relative size, subsidiaries (有限公司).
ENTERPRISES: list[tuple[str, str, str, float, str]] = [
    (
        "明澜市城市建设投资集团有限公司",
        "城投集团",
        "明澜城投",
        3.0,
        "置业 建设管理 资产经营 物业服务 市政工程 园林绿化",
    ),
    ("明澜水务集团有限公司", "水务集团", "明澜水务", 1.6, "供水 排水 水务工程建设 水质检测 二次供水"),
    (
        "明澜市交通投资集团有限公司",
        "交投集团",
        "明澜交投",
        2.6,
        "高速公路运营 路桥建设 交通物流 智慧交通科技 交通能源",
    ),
    ("明澜能源集团有限公司", "能源集团", "明澜能源", 2.2, "电力 新能源 热电 能源销售 煤炭储运"),
    ("明澜文化旅游发展集团有限公司", "文旅集团", "明澜文旅", 1.3, "景区管理 酒店管理 文化演艺 旅行社"),
    ("明澜市国有资本运营有限公司", "国资运营", "明澜国运", 0.9, "资产管理 股权投资 供应链管理"),
    ("明澜市公共交通集团有限公司", "公交集团", "明澜公交", 2.0, "第一客运 第二客运 公交场站管理 汽车修理"),
    ("明澜燃气集团有限公司", "燃气集团", "明澜燃气", 1.2, "燃气输配 燃气工程 燃气客户服务 液化天然气"),
    ("明澜港务集团有限公司", "港务集团", "明澜港务", 1.5, "集装箱码头 港口物流 港务工程 外轮理货"),
    ("明澜市粮食储备集团有限公司", "粮储集团", "明澜粮储", 0.8, "中心粮库 粮油贸易 粮油质量检测"),
    ("明澜医药集团有限公司", "医药集团", "明澜医药", 1.1, "制药 医药物流 大药房连锁 中药饮片"),
    ("明澜金融控股集团有限公司", "金控集团", "明澜金控", 0.9, "小额贷款 融资租赁 商业保理 基金管理"),
    ("明澜市产业投资集团有限公司", "产投集团", "明澜产投", 1.0, "产业园区开发 新材料 装备制造"),
    ("明澜市轨道交通集团有限公司", "轨道集团", "明澜轨道", 1.4, "运营 建设管理 资源开发"),
    ("明澜市农业发展集团有限公司", "农发集团", "明澜农发", 0.9, "种业 冷链物流 农产品市场"),
    ("明澜市商贸物流集团有限公司", "商贸物流", "明澜商贸", 0.9, "百货 物流园区 进出口"),
    (
        "明澜市建筑工程集团有限公司",
        "建工集团",
        "明澜建工",
        2.4,
        "第一建筑工程 第二建筑工程 安装工程 建材 建筑设计",
    ),
    ("明澜安居集团有限公司", "安居集团", "明澜安居", 0.8, "保障房建设 住房租赁 物业管理"),
    ("明澜市环境集团有限公司", "环境集团", "明澜环境", 1.1, "环卫服务 固废处置 环境监测"),
    ("明澜市大数据集团有限公司", "大数据集团", "明澜数据", 0.6, "数据运营 信息技术"),
    ("明澜市科技创新投资集团有限公司", "科创集团", "明澜科创", 0.5, "科技园区发展 创业投资"),
    ("明澜市融资担保集团有限公司", "担保集团", "明澜担保", 0.4, "再担保 资产管理"),
    ("明澜机场集团有限公司", "机场集团", "明澜机场", 0.9, "航空地面服务 机场物业管理 航空物流"),
    ("明澜市热力集团有限公司", "热力集团", "明澜热力", 0.7, "供热运营 热网工程 热源"),
]
OFFICE_BRANCHES = [
    "机关第一",
    "机关第二",
    "机关第三",
    "党群工作部",
    "财务资产部",
    "投资发展部",
    "审计风控部",
    "人力资源部",
]
UNIT_BRANCHES = [
    "综合管理部",
    "财务部",
    "工程部",
    "运营部",
    "安全质量部",
    "市场营销部",
    "技术中心",
    "项目一部",
    "项目二部",
    "项目三部",
    "客户服务中心",
    "生产一车间",
    "生产二车间",
    "检修班",
    "调度中心",
    "物资供应部",
]
NESTED_GENERAL_BRANCHES = ["项目管理", "生产运营", "工程技术", "营销服务"]

# Surnames by frequency; the ten commonest carry real shares (%), the rest a falling tail.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
)
_TOP_SHARES = [7.1, 7.0, 6.7, 5.4, 4.5, 3.1, 2.1, 2.0, 2.0, 1.9]
SURNAME_WEIGHTS = _TOP_SHARES + [1.6 * 0.97**i for i in range(len(SURNAMES) - len(_TOP_SHARES))]
MALE_CHARS = (
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳建国峰亮成志东海文博晨睿哲轩然昊翔锋松岩坤"
)
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲燕婷雪琳颖慧倩洁晶佳欣怡悦萍红梅莉兰丹蕾璐瑶雯琪琴妍薇月春晓"
SHARED_CHARS = "文华明晓春雨天子思嘉一立永玉金海云"
# Names typical of people born before 1970.
OLDER_MALE_NAMES = ["建国", "建华", "卫东", "国强", "志刚", "建军", "国庆", "德明", "振华"]
OLDER_FEMALE_NAMES = ["秀英", "桂兰", "玉兰", "红梅", "淑珍", "凤英", "秀兰", "丽华"]
PHONE_PREFIXES = [f"{head}{d}" for head in ("13", "15", "18") for d in range(10)] + ["166", "177", "199"]
# Province 37 with prefecture 99, which no real city has: the numbers look real and belong to no one.
REGION_CODES = ["379902", "379903", "379904", "379905", "379921", "379922", "379981"]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
CN_DIGITS = "零一二三四五六七八九"

OFFICER = "书记"
MEMBER = "党员"
GROUP_LEADER = "党小组组长"
STAFF_POSITION = "党建工作部工作人员"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals, as in 第十二党支部."""
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十")
    return head + (CN_DIGITS[units] if units else "")


def _branch_officers(size: int) -> list[str]:
    # Under seven members a branch has no committee, only a secretary; above fifty it would split.
    if size < 7:
        return [OFFICER]
    if size < 20:
        return [OFFICER, "组织委员", "宣传委员"] + (["纪检委员"] if size >= 10 else [])
    return [OFFICER, "副书记", "组织委员", "宣传委员", "纪检委员"]


def _apportion(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` into parts proportional to `weights`, each at least `minimum` (largest remainder)."""
    rest = total - minimum * len(weights)
    if rest < 0:
        raise ValueError(f"cannot split {total} into {len(weights)} parts of at least {minimum}")
    exact = [rest * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: rest - sum(parts)]:
        parts[i] += 1
    return [minimum + p for p in parts]


@dataclass(slots=True)
class OrgSpec:
    code: str
    name: str
    short_name: str
    kind: str
    parent_code: str | None
    depth: int
    active_from: datetime.date
    active_to: datetime.date | None = None
    secretary: str = ""
    sort_order: int = 0
    successor_codes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PersonSpec:
    org_code: str
    name: str
    gender: str
    birth_date: datetime.date
    join_date: datetime.date | None
    status: str
    position: str
    phone: str
    id_number: str


@dataclass(frozen=True, slots=True)
class UserSpec:
    username: str
    full_name: str
    role: str
    scope_code: str
    must_change_password: bool = False
    home_code: str = ""  # the org the account belongs to, when not its scope (an enterprise's assessor)


@dataclass
class CityPlan:
    seed: int
    orgs: list[OrgSpec]
    people: list[PersonSpec]
    users: list[UserSpec]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    scope: str
    must_change_password: bool


@dataclass
class CitySummary:
    seed: int
    orgs_by_kind: dict[str, int]
    closed_orgs: int
    people: int
    logins: list[DemoLogin]
    seconds: float
    password: str = DEMO_PASSWORD

    @property
    def orgs(self) -> int:
        return sum(self.orgs_by_kind.values())


class _Planner:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.orgs: list[OrgSpec] = []
        self.company: dict[str, str] = {}  # org code -> the company whose name its children carry
        self.members: dict[str, list[PersonSpec]] = {}  # branch code -> its people
        self.extra_people: list[PersonSpec] = []
        self._child_count: Counter[str] = Counter()  # for sort order among all children
        self._code_count: Counter[tuple[str, int]] = Counter()  # units (01) and branches (001) apart
        self._ids: set[str] = set()
        self._phones: set[str] = set()

    # ---- organisations ----

    def org(
        self,
        parent: OrgSpec | None,
        kind: str,
        name: str,
        short_name: str,
        *,
        width: int = 2,
        active_from: datetime.date | None = None,
    ) -> OrgSpec:
        if parent is None:
            code, depth, sort_order = "ML", 0, 0
        else:
            self._child_count[parent.code] += 1
            self._code_count[parent.code, width] += 1
            sort_order, number = self._child_count[parent.code], self._code_count[parent.code, width]
            sep = "" if parent.depth == 0 else "-"
            code, depth = f"{parent.code}{sep}{number:0{width}d}", parent.depth + 1
            if active_from is None:  # founded within six years of its parent
                latest = min(LAST_FOUNDING, parent.active_from + datetime.timedelta(days=6 * 365))
                active_from = self.date_between(parent.active_from, latest)
        org = OrgSpec(
            code=code,
            name=name,
            short_name=short_name,
            kind=kind,
            parent_code=parent.code if parent else None,
            depth=depth,
            active_from=active_from or ROOT_FOUNDED,
            sort_order=sort_order,
        )
        self.orgs.append(org)
        return org

    def branch(self, parent: OrgSpec, unit: str, **kwargs) -> OrgSpec:
        short = f"{unit}党支部"
        org = self.org(parent, OrgKind.BRANCH, self.company[parent.code] + short, short, width=3, **kwargs)
        self.company[org.code] = self.company[parent.code]
        return org

    # ---- people ----

    def date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def person_name(self, gender: str, born: int) -> str:
        rng = self.rng
        surname = "欧阳" if rng.random() < 0.002 else rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
        own = MALE_CHARS if gender == Gender.MALE else FEMALE_CHARS
        if born < 1970 and rng.random() < 0.3:
            return surname + rng.choice(OLDER_MALE_NAMES if gender == Gender.MALE else OLDER_FEMALE_NAMES)
        if rng.random() < 0.25:
            return surname + rng.choice(own)
        first = rng.choice(SHARED_CHARS if rng.random() < 0.3 else own)
        second = rng.choice(own.replace(first, ""))
        return surname + first + second

    def _id_number(self, birth: datetime.date, gender: str) -> str:
        head = self.rng.choice(REGION_CODES) + birth.strftime("%Y%m%d")
        parity = 1 if gender == Gender.MALE else 0  # the 17th digit is odd for men, even for women
        while True:
            serial = self.rng.randrange(parity or 2, 1000, 2)
            first17 = f"{head}{serial:03d}"
            if first17 not in self._ids:
                self._ids.add(first17)
                return first17 + id_numbers.check_digit(first17)

    def _phone(self) -> str:
        while True:
            phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def person(self, org_code: str, position: str, status: str, ages: tuple[int, int]) -> PersonSpec:
        rng = self.rng
        gender = Gender.MALE if rng.random() < 0.64 else Gender.FEMALE
        born = self.date_between(
            AS_OF.replace(year=AS_OF.year - ages[1]), AS_OF.replace(year=AS_OF.year - ages[0])
        )
        eighteen = years_after(born, MIN_JOIN_AGE)
        if status == MemberStatus.STAFF:
            joined = None
        elif status == MemberStatus.PROBATIONARY:
            joined = max(eighteen, AS_OF - datetime.timedelta(days=rng.randint(1, 360)))
        else:
            joined = self.date_between(eighteen, AS_OF - datetime.timedelta(days=400))
        return PersonSpec(
            org_code=org_code,
            name=self.person_name(gender, born.year),
            gender=gender,
            birth_date=born,
            join_date=joined,
            status=status,
            position=position,
            phone=self._phone(),
            id_number=self._id_number(born, gender),
        )

    def populate_branch(self, branch: OrgSpec, size: int) -> None:
        retired = branch.short_name.startswith("离退休")
        ages = (60, 88) if retired else (23, 59)
        officers = _branch_officers(size)
        people = []
        for i in range(size):
            if i < len(officers):
                people.append(
                    self.person(branch.code, officers[i], MemberStatus.FULL, ages if retired else (30, 58))
                )
            else:
                probationary = not retired and self.rng.random() < 0.06
                people.append(
                    self.person(
                        branch.code,
                        MEMBER,
                        MemberStatus.PROBATIONARY if probationary else MemberStatus.FULL,
                        ages,
                    )
                )
        branch.secretary = people[0].name
        self.members[branch.code] = people


def _subtree_branches(planner: _Planner, org: OrgSpec) -> list[OrgSpec]:
    return [
        o
        for o in planner.orgs
        if o.kind == OrgKind.BRANCH and o.active_to is None and o.code.startswith(org.code + "-")
    ]


def _appoint_secretary(planner: _Planner, org: OrgSpec, title: str) -> None:
    """Make a full member of a branch below `org` its secretary; they stay in their own branch."""
    for branch in _subtree_branches(planner, org):
        for person in planner.members[branch.code]:
            if person.position == MEMBER and person.status == MemberStatus.FULL:
                person.position = title
                org.secretary = person.name
                return
    raise ValueError(f"no full member under {org.code} to serve as its secretary")


def _form_groups(planner: _Planner, branch: OrgSpec) -> None:
    """Split a large branch's ordinary members into party groups; its committee stays in the branch."""
    plain = [p for p in planner.members[branch.code] if p.position == MEMBER]
    count = max(2, min(4, len(plain) // 8))
    for g in range(count):
        short = f"第{cn_number(g + 1)}党小组"
        group = planner.org(
            branch,
            OrgKind.GROUP,
            branch.name.removesuffix("党支部") + short,
            short,
            active_from=branch.active_from,
        )
        members = plain[g::count]
        members[0].position = GROUP_LEADER
        group.secretary = members[0].name
        for person in members:
            person.org_code = group.code


def _close(planner: _Planner, parent: OrgSpec, units: list[str], on: datetime.date) -> list[OrgSpec]:
    founded = planner.date_between(parent.active_from, min(LAST_FOUNDING, on - datetime.timedelta(days=400)))
    closed = [planner.branch(parent, unit, active_from=founded) for unit in units]
    for org in closed:
        org.active_to = on
        org.secretary = planner.person_name(Gender.MALE, 1975)
    return closed


def plan_city(
    seed: int = 2026,
    *,
    enterprises: int = 24,
    second_level: int = 60,
    branches: int = 600,
    members: int = 12000,
) -> CityPlan:
    """The whole demo city as plain data: the same seed and sizes always give the same city.

    `second_level` counts the subsidiaries' committees and general branches directly under the
    enterprises; `branches` and `members` are exact (closed branches come on top, with no members).
    """
    if not 2 <= enterprises <= len(ENTERPRISES):
        raise ValueError(f"enterprises must be between 2 and {len(ENTERPRISES)}")
    p = _Planner(seed)
    rng = p.rng
    root = p.org(None, OrgKind.COMMITTEE, f"{CITY}国资委党委", "市国资委党委")
    p.company[root.code] = CITY
    table = ENTERPRISES[:enterprises]
    weights = [size * rng.uniform(0.8, 1.25) for _, _, _, size, _ in table]
    branch_counts = _apportion(branches, weights, minimum=3)
    second_counts = [
        min(n, (b - 1) // 2) for n, b in zip(_apportion(second_level, weights), branch_counts, strict=True)
    ]
    ents: list[OrgSpec] = []
    with_groups: set[str] = set()
    for i, (company, short, prefix, _, subsidiaries) in enumerate(table):
        ent = p.org(
            root,
            OrgKind.ENTERPRISE,
            f"{company}党委",
            f"{short}党委",
            active_from=p.date_between(datetime.date(2005, 6, 1), datetime.date(2018, 12, 31)),
        )
        p.company[ent.code] = company
        ents.append(ent)
        if i == 0 or rng.random() < 0.3:
            with_groups.add(ent.code)
        total, seconds = branch_counts[i], second_counts[i]
        direct = total if seconds == 0 else min(max(1, round(total * 0.2)), total - 2 * seconds)
        offices = [*OFFICE_BRANCHES[: direct - 1], "离退休"] if direct >= 3 else OFFICE_BRANCHES[:direct]
        offices += [f"机关第{cn_number(n)}" for n in range(len(offices) + 1, direct + 1)]
        for unit in offices:
            p.branch(ent, unit)
        sizes = _apportion(total - direct, [rng.uniform(0.5, 2.0) for _ in range(seconds)], minimum=2)
        stems = subsidiaries.split()
        for j, size in enumerate(sizes):
            stem = f"{stems[j]}有限公司" if j < len(stems) else f"第{cn_number(j + 1)}分公司"
            big = size >= 6 and rng.random() < 0.85
            kind, suffix = (OrgKind.COMMITTEE_SUB, "党委") if big else (OrgKind.GENERAL_BRANCH, "党总支")
            second = p.org(ent, kind, f"{prefix}{stem}{suffix}", stem.replace("有限公司", "公司") + suffix)
            p.company[second.code] = prefix + stem
            units = rng.sample(UNIT_BRANCHES, len(UNIT_BRANCHES))
            names = units + [f"第{cn_number(n)}" for n in range(len(units) + 1, size + 1)]
            # A large subsidiary runs some of its branches through a general branch: one level deeper.
            nested = size // 3 if big and size >= 12 and rng.random() < 0.5 else 0
            if nested:
                area = rng.choice(NESTED_GENERAL_BRANCHES)
                general = p.org(
                    second, OrgKind.GENERAL_BRANCH, f"{prefix}{stem}{area}党总支", f"{area}党总支"
                )
                p.company[general.code] = p.company[second.code]
                for unit in names[:nested]:
                    p.branch(general, unit)
            for unit in names[nested:size]:
                p.branch(second, unit)

    active_branches = [o for o in p.orgs if o.kind == OrgKind.BRANCH]
    staff_counts = [1 + rng.randint(0, 1) for _ in ents]
    root_people = 8
    sizes = _apportion(
        members - root_people - sum(staff_counts),
        [rng.lognormvariate(0, 0.45) for _ in active_branches],
        minimum=3,
    )
    for branch, size in zip(active_branches, sizes, strict=True):
        p.populate_branch(branch, size)

    # History: one merge (two branches into one) and one split (one branch into two).
    def host(ent: OrgSpec) -> OrgSpec:
        return next((o for o in p.orgs if o.parent_code == ent.code and o.kind != OrgKind.BRANCH), ent)

    merged_into = next(o for o in active_branches if o.parent_code == host(ents[0]).code)
    merged_into.active_from = MERGE_ON + datetime.timedelta(days=1)
    for org in _close(p, host(ents[0]), ["工程一部", "工程二部"], MERGE_ON):
        org.successor_codes = [merged_into.code]
    split_host = host(ents[1])
    split_into = [o for o in active_branches if o.parent_code == split_host.code][-2:]
    for org in split_into:
        org.active_from = SPLIT_ON + datetime.timedelta(days=1)
    (split_from,) = _close(p, split_host, ["生产经营部"], SPLIT_ON)
    split_from.successor_codes = [o.code for o in split_into]

    for org in list(p.orgs):
        if org.kind in (OrgKind.ENTERPRISE, OrgKind.COMMITTEE_SUB):
            _appoint_secretary(p, org, "党委书记")
        elif org.kind == OrgKind.GENERAL_BRANCH:
            _appoint_secretary(p, org, "党总支书记")
    for branch in active_branches:
        enterprise_code = branch.code.split("-")[0]
        if enterprise_code in with_groups and len(p.members[branch.code]) >= 16:
            _form_groups(p, branch)

    root_positions = ["党委书记", "党委副书记", "党委副书记", "党委委员", "党委委员"]
    for position in root_positions:
        p.extra_people.append(p.person(root.code, position, MemberStatus.FULL, (40, 58)))
    for _ in range(root_people - len(root_positions)):
        p.extra_people.append(p.person(root.code, "党建工作处工作人员", MemberStatus.STAFF, (24, 45)))
    root.secretary = p.extra_people[0].name
    for ent, count in zip(ents, staff_counts, strict=True):
        for _ in range(count):
            p.extra_people.append(p.person(ent.code, STAFF_POSITION, MemberStatus.STAFF, (23, 40)))

    people = p.extra_people + [person for b in active_branches for person in p.members[b.code]]
    return CityPlan(seed=seed, orgs=p.orgs, people=people, users=_plan_users(p, root, ents, merged_into))


def _plan_users(p: _Planner, root: OrgSpec, ents: list[OrgSpec], branch: OrgSpec) -> list[UserSpec]:
    def name() -> str:
        return p.person_name(p.rng.choice([Gender.MALE, Gender.FEMALE]), 1980)

    observed = ents[min(2, len(ents) - 1)]
    return [
        UserSpec("admin", name(), Role.COMMITTEE_ADMIN, root.code),
        UserSpec("assessor1", name(), Role.ASSESSOR, root.code),
        UserSpec("assessor2", name(), Role.ASSESSOR, root.code),
        # An assessor lent by an enterprise: kept off the panel that scores that enterprise.
        UserSpec("assessor3", name(), Role.ASSESSOR, root.code, home_code=ents[2].code),
        UserSpec(f"staff_{ents[0].code.lower()}", name(), Role.PARTY_STAFF, ents[0].code),
        UserSpec(f"staff_{ents[1].code.lower()}", name(), Role.PARTY_STAFF, ents[1].code),
        UserSpec("secretary", branch.secretary, Role.BRANCH_SECRETARY, branch.code),
        UserSpec("observer", name(), Role.OBSERVER, observed.code),
        UserSpec("jijian", name(), Role.DISCIPLINE_STAFF, root.code),
        UserSpec("sysadmin", name(), Role.SYSTEM_ADMIN, root.code),
        UserSpec("secadmin", name(), Role.SECURITY_ADMIN, root.code),
        UserSpec("auditadmin", name(), Role.AUDIT_ADMIN, root.code),
        UserSpec("newcomer", name(), Role.OBSERVER, ents[0].code, must_change_password=True),
    ]


# ---- writing ------------------------------------------------------------------------------------

BATCH = 1000


def _write_orgs(plan: CityPlan) -> dict[str, OrgUnit]:
    """Insert level by level: a node's path needs its parent's path and its own new pk."""
    saved: dict[str, OrgUnit] = {}
    for depth in sorted({o.depth for o in plan.orgs}):
        level = [o for o in plan.orgs if o.depth == depth]
        units = [
            OrgUnit(
                code=o.code,
                name=o.name,
                short_name=o.short_name,
                kind=o.kind,
                parent=saved[o.parent_code] if o.parent_code else None,
                active_from=o.active_from,
                active_to=o.active_to,
                secretary=o.secretary,
                sort_order=o.sort_order,
            )
            for o in level
        ]
        OrgUnit.objects.bulk_create(units, batch_size=BATCH)
        for unit in units:
            place(unit)
        OrgUnit.objects.bulk_update(units, ["path", "depth", "enterprise"], batch_size=BATCH)
        saved.update((u.code, u) for u in units)
    through = OrgUnit.successors.through
    through.objects.bulk_create(
        through(from_orgunit_id=saved[o.code].pk, to_orgunit_id=saved[s].pk)
        for o in plan.orgs
        for s in o.successor_codes
    )
    return saved


def _write_people(plan: CityPlan, orgs: dict[str, OrgUnit]) -> None:
    pinyin: dict[str, str] = {}
    rows = []
    for s in plan.people:
        if s.name not in pinyin:
            pinyin[s.name] = name_pinyin(s.name)
        rows.append(
            Person(
                org=orgs[s.org_code],
                name=s.name,
                name_pinyin=pinyin[s.name],
                gender=s.gender,
                birth_date=s.birth_date,
                join_date=s.join_date,
                status=s.status,
                position=s.position,
                phone_enc=encrypt(s.phone),
                id_number_enc=encrypt(s.id_number),
                id_number_digest=digest(s.id_number),
            )
        )
    Person.objects.bulk_create(rows, batch_size=BATCH)


def _write_users(plan: CityPlan, orgs: dict[str, OrgUnit]) -> list[DemoLogin]:
    logins = []
    for u in plan.users:
        scope = orgs[u.scope_code]
        user = account_actions.create_user(
            None,
            username=u.username,
            full_name=u.full_name,
            org=orgs[u.home_code] if u.home_code else scope,
            password=DEMO_PASSWORD,
            must_change_password=u.must_change_password,
        )
        account_actions.assign_role(None, user, u.role, scope)
        logins.append(DemoLogin(u.username, str(Role(u.role).label), scope.name, u.must_change_password))
    return logins


def build_city(
    seed: int = 2026,
    *,
    enterprises: int = 24,
    second_level: int = 60,
    branches: int = 600,
    members: int = 12000,
) -> CitySummary:
    """Plan the demo city and write it, with its accounts, into an empty database in one transaction."""
    started = time.perf_counter()
    plan = plan_city(
        seed, enterprises=enterprises, second_level=second_level, branches=branches, members=members
    )
    with transaction.atomic():
        if OrgUnit.objects.exists():
            raise ValueError("the demo city is only built into a database without organisations")
        orgs = _write_orgs(plan)
        _write_people(plan, orgs)
        logins = _write_users(plan, orgs)
        by_kind = dict(Counter(o.kind for o in plan.orgs))
        closed = sum(1 for o in plan.orgs if o.active_to is not None)
        root = orgs[plan.orgs[0].code]
        record(
            None,
            "demo.load",
            target_type="city",
            target_id=root.code,
            target_repr=CITY,
            org_path=root.path,
            new={
                "seed": seed,
                "orgs": by_kind,
                "closed_orgs": closed,
                "people": len(plan.people),
                "users": len(logins),
            },
        )
    return CitySummary(
        seed=seed,
        orgs_by_kind=by_kind,
        closed_orgs=closed,
        people=len(plan.people),
        logins=logins,
        seconds=time.perf_counter() - started,
    )
