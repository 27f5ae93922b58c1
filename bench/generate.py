"""Synthetic maps for the benchmark, written in bulk.

`generate(projects=N)` adds one published map ("bench") with 9 layers and N
published projects, each with 3 team members, 3 traction metrics and 2-3 tags,
plus about 10% more that no visitor may see: drafts, projects in review and
archived ones on the published map, and published projects on an unpublished
map ("bench-unpublished").

The output depends only on N and the seed. Rows get explicit ids and go in with
PostgreSQL's COPY (plain executemany elsewhere), which is what makes 100,000
projects a matter of minutes; the sequences are reset afterwards.
"""

import datetime
import random
import time
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils.text import slugify

from dealmap.editorial import Status
from layers.models import Layer, Map
from projects.models import Project, Stage, Tag, TeamMember, TractionMetric

BENCH_MAP_SLUG = "bench"
HIDDEN_MAP_SLUG = "bench-unpublished"
BATCH_SIZE = 5000
# Fixed, so the same seed gives the same rows on any day (metric dates stay in the past).
BASE_TIME = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

LAYERS = [
    ("compute", "Compute", "GPU marketplaces and decentralized clusters."),
    ("data", "Data", "Open datasets, labelling networks and data markets."),
    ("training", "Training", "Distributed and federated model training."),
    ("models", "Models", "Open-weight models and model registries."),
    ("inference", "Inference", "Serving models without a single operator."),
    ("agents", "Agents", "Autonomous agents and the rails they act on."),
    ("payments", "Payments", "Machine-to-machine payments and settlement."),
    ("privacy", "Privacy", "FHE, TEEs and zero-knowledge for AI."),
    ("verification", "Verification", "Proving what a model did."),
]
TAGS = [
    "GPU",
    "Inference",
    "Training",
    "ZK",
    "FHE",
    "TEE",
    "Agents",
    "Payments",
    "DePIN",
    "Storage",
    "Data",
    "Privacy",
    "Oracles",
    "Restaking",
    "Robotics",
    "Bandwidth",
    "Identity",
    "Provenance",
    "Federated",
    "Marketplace",
    "Subnets",
    "Rollup",
    "Stablecoins",
    "Reputation",
    "Governance",
    "Open-weights",
    "Edge",
    "Mobile",
    "Audio",
    "Vision",
    "Language",
    "Search",
    "Benchmarks",
    "Evaluation",
    "Labelling",
    "Synthetic-data",
    "Coordination",
    "Compliance",
    "Wallets",
    "Bridges",
]
SYLLABLES = [
    "ae",
    "bit",
    "cor",
    "dex",
    "el",
    "fin",
    "gen",
    "hel",
    "io",
    "jun",
    "kai",
    "lum",
    "mer",
    "nex",
    "or",
    "pra",
    "qua",
    "ren",
    "syn",
    "ten",
    "ul",
    "ver",
    "wen",
    "xen",
    "yo",
    "zen",
    "ax",
    "bly",
    "chro",
    "dra",
    "eon",
    "flux",
    "gra",
    "hy",
    "in",
    "ja",
    "kra",
    "lo",
    "mo",
    "nu",
    "om",
    "pho",
    "ri",
    "sol",
    "tri",
    "va",
    "wo",
    "xy",
    "zo",
]
NAME_SUFFIXES = ["", "", "", " Network", " Labs", " Protocol", " AI", " Compute", " Finance"]
ADJECTIVES = [
    "decentralized",
    "open",
    "permissionless",
    "verifiable",
    "private",
    "trustless",
    "distributed",
    "community-owned",
    "censorship-resistant",
    "programmable",
]
NOUNS = [
    "GPU marketplace",
    "inference network",
    "training cluster",
    "data market",
    "agent framework",
    "payment rail",
    "model registry",
    "proof system",
    "storage layer",
    "oracle network",
    "compute exchange",
    "labelling network",
    "identity layer",
    "coordination protocol",
]
AUDIENCES = [
    "model builders",
    "AI agents",
    "researchers",
    "enterprises",
    "app developers",
    "robot fleets",
    "open-source labs",
    "data owners",
    "GPU owners",
    "machine economies",
]
VERBS = [
    "connects",
    "rewards",
    "verifies",
    "schedules",
    "prices",
    "routes",
    "settles",
    "audits",
    "pools",
    "indexes",
]
THINGS = [
    "idle GPUs",
    "training runs",
    "inference requests",
    "agent payments",
    "labelled datasets",
    "model weights",
    "zero-knowledge proofs",
    "encrypted queries",
    "subnet emissions",
    "sensor data",
]
CLAIMS = [
    "Its token aligns operators with the people who use the network.",
    "The team ships weekly and publishes its benchmarks in the open.",
    "Usage has grown every quarter since the mainnet launch.",
    "It competes with centralized clouds on price rather than on trust alone.",
    "Its design keeps no single party able to censor or reorder work.",
    "Early partners include research groups and several open-model labs.",
    "The protocol settles on a public chain, so every payment can be audited.",
    "It takes a narrow slice of the stack and does it better than anyone.",
]
VIEWS = [
    "We think this becomes core infrastructure if open models keep closing the gap.",
    "The risk is demand: supply is easy to bootstrap, paying users are not.",
    "A strong team in a crowded layer; distribution will decide it.",
    "We like the wedge and want to see retention past the incentive programme.",
]
FIRST_NAMES = [
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Noor",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Xavi",
    "Yara",
    "Zoe",
]
LAST_NAMES = [
    "Abara",
    "Bauer",
    "Chen",
    "Diaz",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rossi",
    "Sato",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Yilmaz",
    "Zhou",
]
ROLES = ["Co-founder & CEO", "Co-founder & CTO", "Head of Research", "Head of Growth"]
METRICS = [
    ("GPUs online", "GPUs"),
    ("monthly active users", "users"),
    ("machine payments settled", "USD"),
    ("inference requests per day", "requests"),
    ("total value locked", "USD"),
    ("active developers", "developers"),
    ("models hosted", "models"),
    ("active subnets", "subnets"),
]
PLACES = [
    ("San Francisco", "US"),
    ("New York", "US"),
    ("London", "GB"),
    ("Zug", "CH"),
    ("Berlin", "DE"),
    ("Paris", "FR"),
    ("Singapore", "SG"),
    ("Toronto", "CA"),
    ("Lisbon", "PT"),
    ("Seoul", "KR"),
    ("", ""),
]
HIDDEN_STATUSES = [Status.DRAFT, Status.IN_REVIEW, Status.ARCHIVED]


def hidden_counts(projects):
    """(drafts, in-review and archived on the bench map, published on the unpublished map)."""
    return max(3, projects * 7 // 100), max(1, projects * 3 // 100)


def generate(*, projects, seed=42, batch_size=BATCH_SIZE, log=print):
    """Write the synthetic maps into the default database; return the seconds it took."""
    if Map.objects.filter(slug__in=[BENCH_MAP_SLUG, HIDDEN_MAP_SLUG]).exists():
        raise ValueError("The benchmark maps exist already: generate into an empty database.")
    started = time.monotonic()
    rng = random.Random(seed)
    with transaction.atomic():
        bench_layers = _layers(_map(BENCH_MAP_SLUG, "Benchmark map", Status.PUBLISHED, 1))
        hidden_layers = _layers(_map(HIDDEN_MAP_SLUG, "Unpublished map", Status.DRAFT, 2))
        tags = _tags()
        plan = _plan(projects, bench_layers, hidden_layers, rng)
        ids = _Ids()
        for start in range(0, len(plan), batch_size):
            _write_batch(plan[start : start + batch_size], tags, ids, rng)
            done = min(start + batch_size, len(plan))
            log(f"  {done:,}/{len(plan):,} projects ({time.monotonic() - started:.0f} s)")
        _reset_sequences()
    return time.monotonic() - started


def _map(slug, name, status, position):
    return Map.objects.create(
        slug=slug,
        name=name,
        status=status,
        position=position,
        tagline="Synthetic data for the benchmark.",
        published_at=BASE_TIME if status == Status.PUBLISHED else None,
    )


def _layers(map_):
    return Layer.objects.bulk_create(
        Layer(map=map_, slug=slug, name=name, description=text, position=i)
        for i, (slug, name, text) in enumerate(LAYERS)
    )


def _tags():
    existing = {tag.slug: tag for tag in Tag.objects.all()}
    missing = [Tag(slug=slugify(n), name=n) for n in TAGS if slugify(n) not in existing]
    Tag.objects.bulk_create(missing)
    return list(Tag.objects.filter(slug__in=[slugify(n) for n in TAGS]).order_by("slug"))


def _plan(projects, bench_layers, hidden_layers, rng):
    """(layer, status) of every project to write, shuffled so hidden rows sit among the others."""
    drafts, unpublished = hidden_counts(projects)
    plan = [(bench_layers[i % 9], Status.PUBLISHED) for i in range(projects)]
    plan += [(bench_layers[i % 9], HIDDEN_STATUSES[i % 3]) for i in range(drafts)]
    plan += [(hidden_layers[i % 9], Status.PUBLISHED) for i in range(unpublished)]
    rng.shuffle(plan)
    return plan


class _Ids:
    """Next free primary key of each table: rows get their ids before they are written."""

    def __init__(self):
        self.next = {}

    def take(self, model):
        if model not in self.next:
            self.next[model] = (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1
        value = self.next[model]
        self.next[model] += 1
        return value


def _write_batch(plan, tags, ids, rng):
    through = Project.tags.through
    projects, members, metrics, links = [], [], [], []
    for layer, status in plan:
        project = _project(ids.take(Project), layer, status, rng)
        projects.append(project)
        members += [_member(ids.take(TeamMember), project, i, rng) for i in range(3)]
        metrics += [_metric(ids.take(TractionMetric), project, i, m, rng) for i, m in _three(rng)]
        links += [
            through(id=ids.take(through), project_id=project.id, tag_id=tag.id)
            for tag in rng.sample(tags, rng.randint(2, 3))
        ]
    for model, rows in [
        (Project, projects),
        (TeamMember, members),
        (TractionMetric, metrics),
        (through, links),
    ]:
        _insert(model, rows)


def _three(rng):
    return enumerate(rng.sample(METRICS, 3))


def _sentence(rng):
    verb, thing, audience = rng.choice(VERBS), rng.choice(THINGS), rng.choice(AUDIENCES)
    return f"It {verb} {thing} for {audience}, paying contributors in proportion to useful work."


def _project(pk, layer, status, rng):
    name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    name += rng.choice(NAME_SUFFIXES)
    slug = f"{slugify(name)}-{pk}"
    headquarters, country = rng.choice(PLACES)
    created = BASE_TIME - datetime.timedelta(
        days=rng.randint(30, 900), seconds=rng.randint(0, 86399)
    )
    updated = created + datetime.timedelta(days=rng.randint(0, 29))
    shown = status in (Status.PUBLISHED, Status.ARCHIVED)
    first = f"{name} is a {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} for {rng.choice(AUDIENCES)}."
    extra = [_sentence(rng), *rng.sample(CLAIMS, rng.randint(0, 2))]
    return Project(
        id=pk,
        slug=slug,
        name=name,
        layer=layer,
        position=pk % 30000,
        one_liner=f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)} for "
        f"{rng.choice(AUDIENCES)}",
        description=" ".join([first, *extra]),
        our_view=" ".join(rng.sample(VIEWS, rng.randint(1, 2))),
        our_view_date=updated.date(),
        website=f"https://{slug}.example.com",
        x_url=f"https://x.com/{slug.replace('-', '_')[:15]}",
        github_url=f"https://github.com/{slug}" if rng.random() < 0.7 else "",
        docs_url=f"https://docs.{slug}.example.com" if rng.random() < 0.5 else "",
        founded_year=rng.randint(2015, 2025),
        headquarters=headquarters,
        country=country,
        token_symbol=name[:4].upper() if rng.random() < 0.4 else "",
        stage=rng.choice(Stage.values),
        is_portfolio=rng.random() < 0.1,
        status=status,
        published_at=updated if shown else None,
        last_reviewed_at=updated if shown else None,
        version=1,
        created_at=created,
        updated_at=updated,
    )


def _member(pk, project, i, rng):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return TeamMember(
        id=pk,
        project_id=project.id,
        name=f"{first} {last}",
        role=ROLES[i] if i < 2 else rng.choice(ROLES[2:]),
        bio=f"{first} previously built {rng.choice(THINGS)} at a large lab and "
        f"now works on {project.name}.",
        url=f"https://example.com/people/{first.lower()}-{last.lower()}",
        is_founder=i < 2,
        position=i,
    )


def _metric(pk, project, i, metric, rng):
    label, unit = metric
    return TractionMetric(
        id=pk,
        project_id=project.id,
        label=label,
        value=Decimal(rng.randint(10, 50_000_000)),
        unit=unit,
        qualifier=rng.choice(["", "over", "about"]),
        as_of=(BASE_TIME - datetime.timedelta(days=rng.randint(1, 365))).date(),
        source_url=f"https://{project.slug}.example.com/stats",
        note="",
        is_headline=i == 0,
        position=i,
    )


def _insert(model, rows):
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    values = (
        tuple(f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields)
        for row in rows
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join(["%s"] * len(fields))
            # Table and column names come from the model, quoted by the backend.
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, list(values))


def _reset_sequences():
    models = [Map, Layer, Tag, Project, TeamMember, TractionMetric, Project.tags.through]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
