"""Automatic expert assignment as a minimum-cost flow (networkx network simplex). Pure: plain
dataclasses in, plain dataclasses out, no database — benchmarked by benchmarks/assignment.py and
property-tested with hypothesis.

Constraints: ``k`` experts per application (counting active assignments it already has); an expert
only where their categories (expertise, or a panel covering the category) include the
application's; never a conflicted or excluded pair; never two experts of the same work unit on one
application (one unit node of capacity 1 per application and unit); at most ``max_load`` per
expert, existing load included.

Objective, lexicographic through cost scales: (1) staff as many places as possible (an "unstaffed"
bypass edge costs M per place); (2) bring every expert up to ``min_load`` (each of the first
loads below the minimum earns a bonus B); (3) even load (convex cost: parallel edges whose cost
grows by W per extra load unit); (4) a small perturbation (< W) drawn from the seed breaks ties.
The result is deterministic for a given problem and seed.

Applications with the same category, need and candidate set are aggregated into one node of
capacity g·need (each unit at most g times); a flow there splits into g applications with
distinct units by dealing the unit blocks round-robin ("column-major"), which is always possible
because no unit carries more than g. This keeps the network small for realistic pools.

Conflicts would make nearly every conflicted application a node of its own (at 30 % of them, a
network seven times larger). So the network is first solved with the conflicted pairs relaxed
(an application joins the group of its candidates before conflicts) and the dealt result is
repaired by swapping experts between applications of one group: a swap keeps every expert's load
and every application's count, so a repaired result has the relaxed optimum's cost — a lower bound
for the real problem — and is therefore optimal for it. Only when some pair cannot be swapped away
is the network built again with every conflict in place (the exact model, always correct).
"""

import time
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
from django.utils.translation import gettext as _

MASK = (1 << 64) - 1
PERTURBATION = 50  # tie-breaking costs lie in [0, PERTURBATION)
WEIGHT = 2 * PERTURBATION  # cost step per extra load unit
RELAXED_ATTEMPTS = 4  # relaxed solves (each making the unrepairable applications exact) before the exact model


@dataclass(frozen=True)
class ExpertIn:
    id: int
    unit: str  # normalised work unit (same string = same unit)
    categories: frozenset = frozenset()
    load: int = 0  # active assignments already held in the programme
    available: bool = True  # False: keeps existing assignments but takes no new ones


@dataclass(frozen=True)
class ApplicationIn:
    id: int
    category: int | None
    assigned: tuple = ()  # expert ids actively assigned already


@dataclass(frozen=True)
class Problem:
    applications: tuple
    experts: tuple
    k: int
    min_load: int = 0
    max_load: int = 40
    conflicts: frozenset = frozenset()  # (application id, expert id): blocking conflicts
    excluded: frozenset = frozenset()  # (application id, expert id): e.g. removed earlier by hand
    seed: int = 0


@dataclass(frozen=True)
class Unstaffed:
    application: int
    missing: int
    eligible: int  # units that could still take the application
    no_expertise: int
    conflicted: int
    same_unit: int
    at_capacity: bool  # enough eligible experts, but they reached the maximum load

    @property
    def reason(self) -> str:
        if self.at_capacity:
            return _("符合条件的专家评审数量已达上限（缺少%(missing)d位）") % {"missing": self.missing}
        return _("只有%(n)d位符合条件的专家（缺少%(missing)d位）：无匹配专业%(a)d位、回避%(b)d位、同单位%(c)d位") % {
            "n": self.eligible, "missing": self.missing, "a": self.no_expertise, "b": self.conflicted,
            "c": self.same_unit}

    def as_dict(self) -> dict:
        return {"application": self.application, "missing": self.missing, "eligible": self.eligible,
                "no_expertise": self.no_expertise, "conflicted": self.conflicted, "same_unit": self.same_unit,
                "at_capacity": self.at_capacity, "reason": self.reason}


@dataclass
class Solution:
    pairs: list = field(default_factory=list)  # new (application id, expert id), sorted
    unstaffed: list = field(default_factory=list)  # Unstaffed, by application id
    loads: dict = field(default_factory=dict)  # expert id -> load after applying (existing + new)
    seconds: float = 0.0
    nodes: int = 0
    edges: int = 0


def mix(*values: int) -> int:
    """A deterministic 64-bit hash of integers (splitmix64 steps): the seeded perturbation."""
    x = 0x9E3779B97F4A7C15
    for v in values:
        x = ((x ^ (v & MASK)) * 0xBF58476D1CE4E5B9) & MASK
        x ^= x >> 31
        x = (x * 0x94D049BB133111EB) & MASK
        x ^= x >> 29
    return x


def unit_code(unit: str) -> int:
    return zlib.crc32(unit.encode("utf-8"))


@dataclass
class _Group:
    apps: list
    need: int
    candidates: tuple  # expert ids, sorted


def _candidates(problem, experts, by_category):
    """Per application: (need, candidate ids, Unstaffed counts) with the reasons' tallies."""
    result = {}
    available = sum(1 for x in experts.values() if x.available)
    for app in problem.applications:
        need = max(0, problem.k - len(app.assigned))
        taken_units = {experts[e].unit for e in app.assigned if e in experts}
        matching = by_category.get(app.category, ()) if app.category is not None else ()
        conflicted = same_unit = matched = 0
        chosen, relaxed, units = [], [], set()
        for e in matching:
            expert = experts[e]
            if not expert.available:
                continue
            matched += 1
            if e in app.assigned:
                continue
            forbidden = (app.id, e) in problem.conflicts or (app.id, e) in problem.excluded
            if expert.unit in taken_units:
                if forbidden:
                    conflicted += 1
                else:
                    same_unit += 1
                continue
            relaxed.append(e)
            if forbidden:
                conflicted += 1
                continue
            chosen.append(e)
            if expert.unit in units:
                same_unit += 1
            units.add(expert.unit)
        counts = (len(units), available - matched, conflicted, same_unit)
        result[app.id] = (need, tuple(chosen), counts, tuple(relaxed))
    return result


def _groups(problem, info, capacity, *, relaxed: bool, strict=frozenset()) -> list:
    """Applications with the same category, need and usable candidates, as one group each (with
    ``relaxed``, the candidates before conflicts, except for the applications in ``strict``)."""
    groups = {}
    for app in sorted(problem.applications, key=lambda a: a.id):
        need, chosen, _counts, loose = info[app.id]
        usable = tuple(e for e in (loose if relaxed and app.id not in strict else chosen) if capacity[e] > 0)
        if need and usable:
            groups.setdefault((app.category, need, usable), _Group([], need, usable)).apps.append(app.id)
    return list(groups.values())


def solve(problem: Problem, *, relax: bool = True) -> Solution:
    """The optimal assignment (see the module's docstring); ``relax=False`` builds the exact model
    directly (the benchmark's anchor; the result is equally optimal)."""
    started = time.perf_counter()
    experts = {e.id: e for e in problem.experts}
    by_category = defaultdict(list)
    for e in sorted(experts.values(), key=lambda x: x.id):
        for c in e.categories:
            by_category[c].append(e.id)
    max_load = max(problem.max_load, 0)
    min_load = min(max(problem.min_load, 0), max_load)
    capacity = {e.id: max(0, max_load - e.load) if e.available else 0 for e in experts.values()}
    info = _candidates(problem, experts, by_category)
    solution = Solution(loads={e.id: e.load for e in experts.values()})
    exact = _groups(problem, info, capacity, relaxed=False)
    forbidden = problem.conflicts | problem.excluded
    # Conflicts among few candidates are rarely swapped away: model those exactly from the start.
    strict = {a for a, (need, chosen, (units, *_n), loose) in info.items() if len(loose) > len(chosen)
              and units < 3 * need}
    pairs = None
    for _attempt in range(RELAXED_ATTEMPTS if relax else 0):
        loose = _groups(problem, info, capacity, relaxed=True, strict=strict)
        if len(loose) >= len(exact):
            break
        pairs = _assign(problem, loose, experts, capacity, min_load, solution, forbidden)
        if isinstance(pairs, list):
            break
        strict |= pairs  # these applications could not be repaired: model their conflicts exactly
        pairs = None
    if pairs is None:
        pairs = _assign(problem, exact, experts, capacity, min_load, solution, frozenset())
    solution.pairs = pairs
    for _a, e in solution.pairs:
        solution.loads[e] += 1
    staffed = defaultdict(int)
    for a, _e in solution.pairs:
        staffed[a] += 1
    for app in sorted(problem.applications, key=lambda a: a.id):
        need, _chosen, (eligible, no_expertise, conflicted, same_unit), _loose = info[app.id]
        missing = need - staffed[app.id]
        if missing > 0:
            solution.unstaffed.append(Unstaffed(app.id, missing, eligible, no_expertise, conflicted, same_unit,
                                                at_capacity=eligible >= need))
    solution.pairs.sort()
    solution.seconds = time.perf_counter() - started
    return solution


def _assign(problem, groups, experts, capacity, min_load, solution, forbidden) -> list | set:
    """The new pairs of an optimal flow over ``groups``, dealt to applications; with ``forbidden``
    pairs (relaxed groups) repaired by swaps, or the set of applications whose forbidden pair
    could not be swapped away."""
    total = sum(g.need * len(g.apps) for g in groups)
    if not total:
        return []
    pairs, stuck = [], set()
    for group, per_unit in _flow(problem, groups, experts, capacity, min_load, total, solution):
        dealt = []
        _deal(group, per_unit, problem.seed, dealt)
        if forbidden:
            stuck |= _repair(group, dealt, forbidden, experts)
        pairs.extend(dealt)
    return stuck or pairs


def _repair(group, dealt, forbidden, experts) -> set:
    """Swaps experts between the group's applications until no forbidden pair is left (in place).
    A swap keeps the units on each application distinct; every member of a group may otherwise take
    every candidate of it (same category, need and candidates). Returns the applications left with
    a forbidden pair (none: repaired)."""
    by_app = {a: [] for a in group.apps}
    for a, e in dealt:
        by_app[a].append(e)
    unit = {e: experts[e].unit for e in group.candidates}
    stuck = set()
    for a in group.apps:
        for e in [e for e in by_app[a] if (a, e) in forbidden]:
            if not _swap(a, e, by_app, unit, forbidden):
                stuck.add(a)
    dealt[:] = sorted((a, e) for a, members in by_app.items() for e in members)
    return stuck


def _swap(a, e, by_app, unit, forbidden) -> bool:
    """Gives ``e`` (forbidden on ``a``) to another application of the group in exchange for one of its experts."""
    units_a = {unit[x] for x in by_app[a] if x != e}
    for b, members in by_app.items():
        if b == a or e in members or (b, e) in forbidden:
            continue
        for f in members:
            if f in by_app[a] or (a, f) in forbidden or unit[f] in units_a:
                continue
            if unit[e] in {unit[x] for x in members if x != f}:
                continue
            by_app[a][by_app[a].index(e)] = f
            members[members.index(f)] = e
            return True
    return False


def _flow(problem, groups, experts, capacity, min_load, total, solution):
    """Builds and solves the network; returns [(group, {unit: [(expert, flow), …]})]."""
    top = max((experts[e].load + min(capacity[e], total) for e in capacity), default=0)
    bonus = WEIGHT * (top + 1) + PERTURBATION
    unstaffed_cost = 2 * (bonus + WEIGHT * top + PERTURBATION) + 1
    graph = nx.MultiDiGraph()
    source, sink = 0, 1
    graph.add_node(source, demand=-total)
    graph.add_node(sink, demand=total)
    graph.add_edge(source, sink, capacity=total, weight=unstaffed_cost)
    expert_node = {}
    next_id = 2
    used = sorted({e for g in groups for e in g.candidates})
    for e in used:
        expert_node[e] = next_id
        next_id += 1
        load = experts[e].load
        for level in range(load + 1, load + min(capacity[e], total) + 1):
            cost = WEIGHT * level - (bonus if level <= min_load else 0)
            graph.add_edge(expert_node[e], sink, capacity=1, weight=cost)
    plan = []
    for group in groups:
        g = len(group.apps)
        node = next_id
        next_id += 1
        graph.add_edge(source, node, capacity=g * group.need, weight=0)
        units = defaultdict(list)
        for e in group.candidates:
            units[experts[e].unit].append(e)
        edges = []
        for unit in sorted(units):
            members = units[unit]
            tail = node
            if len(members) > 1:
                tail = next_id
                next_id += 1
                graph.add_edge(node, tail, capacity=g, weight=0)
            for e in members:
                weight = mix(problem.seed, group.apps[0], e) % PERTURBATION
                key = graph.add_edge(tail, expert_node[e], capacity=g, weight=weight)
                edges.append((unit, e, tail, key))
        plan.append((group, edges))
    solution.nodes, solution.edges = graph.number_of_nodes(), graph.number_of_edges()
    _cost, flow = nx.network_simplex(graph)
    result = []
    for group, edges in plan:
        per_unit = defaultdict(list)
        for unit, e, tail, key in edges:
            amount = flow[tail][expert_node[e]][key]
            if amount:
                per_unit[unit].append((e, amount))
        result.append((group, per_unit))
    return result


def _deal(group, per_unit, seed, pairs):
    """Splits a group's flow into applications: unit blocks (each at most g long) laid end to end
    and dealt round-robin, so no application receives the same unit twice."""
    g = len(group.apps)
    order = sorted(per_unit, key=lambda u: (mix(seed, group.apps[0], unit_code(u)), u))
    position = 0
    for unit in order:
        for e, amount in sorted(per_unit[unit]):
            for _copy in range(amount):
                pairs.append((group.apps[position % g], e))
                position += 1
